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
