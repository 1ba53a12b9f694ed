"""Small leaks (issue 22): reset links built from the configured host and port, never from
the request's Host header; the placeholder secret key refused at start in production."""

import os
import re
import subprocess
import sys
from pathlib import Path

from django.conf import settings as django_settings
from django.core import mail
from django.test import Client

BASE_DIR = Path(django_settings.BASE_DIR)


def test_a_reset_link_takes_the_configured_port_not_the_host_headers(
    operator, user_factory, settings
):
    settings.PORTAL_SCHEME, settings.PORTAL_PORT = "https", "8443"
    user = user_factory()
    client = Client(HTTP_HOST="localhost:6666")
    client.post("/comptes/mot-de-passe/oubli/", {"email": user.email})
    (message,) = mail.outbox
    links = re.findall(r"https?://\S+", message.body)
    assert links and all(link.startswith("https://localhost:8443/comptes/") for link in links)
    assert "6666" not in message.body


def test_a_signup_mail_takes_the_configured_port_too(tenant_a, user_factory, settings):
    settings.PORTAL_SCHEME, settings.PORTAL_PORT = "https", ""
    existing = user_factory()
    Client(HTTP_HOST="test-a.localhost:6666").post(
        "/comptes/inscription/",
        {
            "email": existing.email,
            "first_name": "Nour",
            "password1": "une-phrase-de-passe-longue",
            "password2": "une-phrase-de-passe-longue",
        },
    )
    (message,) = mail.outbox
    assert "https://test-a.localhost/comptes/" in message.body and "6666" not in message.body


def _start_in_production(secret_key: str) -> subprocess.CompletedProcess:
    from portal.keys import new_private_key_pem

    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")},
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "DJANGO_ENV": "production",
        "SECRET_KEY": secret_key,
        "DATABASE_URL": "postgres://portal:x@localhost:5432/portal",
        "REDIS_URL": "redis://localhost:6379/0",
        "EMAIL_URL": "smtp://localhost:25",
        "DEFAULT_FROM_EMAIL": "portail@example.fr",
        "PORTAL_BASE_DOMAIN": "portail.example.fr",
        "OIDC_RSA_PRIVATE_KEY": new_private_key_pem(),
        "PORTAL_TESTING": "",
    }
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _docker_env_secret_key() -> str:
    for line in (BASE_DIR / "docker.env").read_text().splitlines():
        if line.startswith("SECRET_KEY="):
            return line.split("=", 1)[1]
    raise AssertionError("docker.env names no SECRET_KEY")


def test_the_placeholder_secret_key_of_docker_env_stops_start_up():
    started = _start_in_production(_docker_env_secret_key())
    assert started.returncode != 0
    assert "SECRET_KEY" in started.stderr and "ImproperlyConfigured" in started.stderr


def test_a_short_secret_key_stops_start_up():
    assert _start_in_production("court-mais-pas-assez").returncode != 0


def test_a_real_secret_key_starts():
    import secrets

    started = _start_in_production(secrets.token_urlsafe(50))
    assert started.returncode == 0, started.stderr
