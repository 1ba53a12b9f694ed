import shutil
import subprocess

import pytest
from django.conf import settings


def test_docker_compose_file_is_valid():
    binary = shutil.which("docker-compose")
    if binary is None:
        pytest.fail("docker-compose is missing: `make test-tools` installs Debian's")
    result = subprocess.run(
        [binary, "config"], cwd=settings.BASE_DIR, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    for service in ("postgres:", "redis:", "web:", "worker:", "beat:"):
        assert f"  {service}" in result.stdout
    assert "gunicorn" in result.stdout


@pytest.mark.django_db
def test_postgres_is_sized_for_a_thousand_schemas():
    """The embedded server applies its settings; docker-compose passes the same locks and
    connections to the official image (issue 14)."""
    from django.db import connection

    from portal.embedded import SERVER_SETTINGS

    with connection.cursor() as cursor:
        cursor.execute("SHOW max_locks_per_transaction")
        assert int(cursor.fetchone()[0]) >= int(SERVER_SETTINGS["max_locks_per_transaction"])
    compose = (settings.BASE_DIR / "docker-compose.yml").read_text()
    for name in ("max_locks_per_transaction", "max_connections"):
        assert f"{name}={SERVER_SETTINGS[name]}" in compose
