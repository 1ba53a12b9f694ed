"""Production settings: complete ones pass `check --deploy`; a missing secret stops start-up."""

import os
import subprocess
import sys

from django.conf import settings

from portal.keys import new_private_key_pem

PRODUCTION_ENV = {
    "DJANGO_ENV": "production",
    "SECRET_KEY": "x7#kq2!vR9zL@p4mW8sD1fG6hJ3nB5cT0yU-e&aQwErTyUiOpAsDfGhJkL",
    "DATABASE_URL": "postgres://portal:secret@db.example.internal:5432/portal",
    "REDIS_URL": "redis://cache.example.internal:6379/0",
    "EMAIL_URL": "smtp+tls://portal:secret@smtp.example.internal:587",
    "DEFAULT_FROM_EMAIL": "Portail <ne-pas-repondre@portail.example.fr>",
    "PORTAL_BASE_DOMAIN": "portail.example.fr",
    "OIDC_RSA_PRIVATE_KEY": new_private_key_pem(),
}


def _manage(*args: str, env: dict) -> subprocess.CompletedProcess:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in PRODUCTION_ENV
        and not k.startswith("PORTAL_")
        and k != "DJANGO_ALLOW_ASYNC_UNSAFE"
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env={**clean, "DJANGO_SETTINGS_MODULE": "portal.settings", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_reports_nothing_with_complete_production_settings():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_missing_secret_stops_start_up_naming_it():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "SECRET_KEY"}
    result = _manage("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr
    assert "Traceback" not in result.stderr.splitlines()[-1]
