"""Identity tests run against real providers: the portal's own (django-oauth-toolkit on the
live server) and a stand-in for FranceConnect / ProConnect started here in its own process
on loopback (tests/identity/upstream_provider), never a mocked HTTP answer.

``*.localhost`` does not resolve outside browsers, so a ``Browser`` keeps one Django test
client per portal host (cookies stay per host, as in a browser) and a ``requests`` session
for the stand-in provider; the portal's server-to-server calls (token, keys) are real HTTP.
"""

import html
import json
import os
import re
import select
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
import requests
from django.conf import settings as django_settings
from django.test import Client

from portal.keys import new_private_key_pem

UPSTREAM_PASSWORD = "mot-de-passe-du-fournisseur"
UPSTREAM_PEOPLE = [
    {
        "username": "camille",
        "claims": {
            "sub": "fc-sub-camille",
            "given_name": "Camille",
            "family_name": "Martin",
            "email": "camille.martin@example.fr",
            "email_verified": True,
            "birthdate": "1984-02-29",
            "birthplace": "05061",
            "birthcountry": "99100",
        },
    },
    {
        "username": "non-verifie",
        "claims": {
            "sub": "fc-sub-unverified",
            "given_name": "Noé",
            "family_name": "Durand",
            "email": "noe.durand@example.fr",
            "email_verified": False,
        },
    },
    {
        "username": "existant",
        "claims": {
            "sub": "fc-sub-existing",
            "given_name": "Inès",
            "family_name": "Roux",
            "email": "ines.roux@example.fr",
            "email_verified": True,
        },
    },
    {
        "username": "agent",
        "claims": {
            "sub": "pc-sub-agent",
            "given_name": "Léa",
            "usual_name": "Garnier",
            "email": "lea.garnier@commune-a.fr",
            "email_verified": True,
        },
    },
    {
        "username": "inconnu",
        "claims": {
            "sub": "pc-sub-stranger",
            "given_name": "Paul",
            "usual_name": "Blanc",
            "email": "paul.blanc@ailleurs.fr",
            "email_verified": True,
        },
    },
]


@dataclass
class Upstream:
    provider: str
    port: int
    database: Path

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def expire_codes(self) -> None:
        """Time passes at the provider: every authorisation code it issued has expired."""
        with sqlite3.connect(self.database) as db:
            db.execute("UPDATE oauth2_provider_grant SET expires = '2000-01-01 00:00:00'")


@pytest.fixture
def upstream(tmp_path, tmp_path_factory, settings):
    """``upstream(provider="franceconnect", portal_origin="http://localhost")`` starts the
    stand-in provider and configures the portal to use it."""
    processes = []

    def start(*, provider: str = "franceconnect", portal_origin: str = "http://localhost"):
        client_id, secret = f"portail-{provider}", "secret-partage-" + os.urandom(8).hex()
        database = tmp_path / f"{provider}.sqlite3"
        env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE"}} | {
            "PYTHONPATH": str(django_settings.BASE_DIR),
            "UPSTREAM_DB": str(database),
            # Migrated once per test process, copied by the next starts.
            "UPSTREAM_DB_MIGRATED": str(tmp_path_factory.getbasetemp() / "upstream.sqlite3"),
            "UPSTREAM_RSA_KEY": new_private_key_pem(),
            "UPSTREAM_USERS": json.dumps(
                [dict(person, password=UPSTREAM_PASSWORD) for person in UPSTREAM_PEOPLE]
            ),
            "UPSTREAM_CLIENT_ID": client_id,
            "UPSTREAM_CLIENT_SECRET": secret,
            "UPSTREAM_REDIRECT_URIS": f"{portal_origin}/comptes/{provider}/retour/",
            "UPSTREAM_LOGOUT_URIS": f"{portal_origin}/comptes/deconnexion/fin/",
        }
        process = subprocess.Popen(
            [sys.executable, "-m", "tests.identity.upstream_provider"],
            cwd=django_settings.BASE_DIR,
            env=env,
            stdout=subprocess.PIPE,
            text=True,
        )
        processes.append(process)
        ready, _, _ = select.select([process.stdout], [], [], 60)
        line = process.stdout.readline() if ready else ""
        if not line.startswith("PORT "):
            pytest.fail(f"the stand-in provider did not start: {line!r}")
        port = int(line.split()[1])
        settings.IDENTITY_UPSTREAMS = {
            **settings.IDENTITY_UPSTREAMS,
            provider: {
                "client_id": client_id,
                "client_secret": secret,
                "issuer": f"http://127.0.0.1:{port}/o",
                "scope": "openid given_name family_name usual_name email",
            },
        }
        return Upstream(provider=provider, port=port, database=database)

    yield start
    for process in processes:
        process.terminate()
        process.wait(timeout=20)


class Browser:
    """One cookie jar per host, like a browser: Django test clients for the portal's hosts
    (operator and communes), a requests session for the stand-in provider."""

    def __init__(self):
        self.clients: dict[str, Client] = {}
        self.outside = requests.Session()

    def client(self, host: str) -> Client:
        if host not in self.clients:
            self.clients[host] = Client(HTTP_HOST=host)
        return self.clients[host]

    def request(self, method: str, url: str, data: dict | None = None):
        parts = urlsplit(url)
        if parts.hostname == "127.0.0.1":
            return self.outside.request(method, url, data=data, allow_redirects=False)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        client = self.client(parts.netloc)
        return client.post(path, data or {}) if method == "POST" else client.get(path)

    def go(self, url: str, data: dict | None = None, method: str = "GET", hops: int = 15):
        """Follow redirects across hosts; returns (final url, response)."""
        response = self.request(method, url, data)
        for _ in range(hops):
            status = getattr(response, "status_code", None)
            if status not in (301, 302, 303):
                return url, response
            location = response.headers["Location"]
            url = urljoin(url, location)
            response = self.request("GET", url)
        raise AssertionError(f"too many redirects, last {url}")

    def upstream_login(self, url: str, response, username: str):
        """Fill the stand-in provider's login form shown at ``url``."""
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.text).group(1)
        next_value = parse_qs(urlsplit(url).query)["next"][0]
        return self.go(
            url,
            {
                "csrfmiddlewaretoken": token,
                "username": username,
                "password": UPSTREAM_PASSWORD,
                "next": next_value,
            },
            method="POST",
        )


def text(response) -> str:
    """The page as a person reads it (entities such as &#x27; decoded)."""
    return html.unescape(response.content.decode())


@pytest.fixture
def hosts():
    return Browser()


def totp_enrolled(user):
    """Enrol ``user`` in TOTP as the enrolment page does; returns the confirmed device."""
    from identity.services.second_factor import totp_device_pending, totp_enrol_confirm

    device = totp_device_pending(user=user)
    totp_enrol_confirm(user=user, code=totp_code(device))
    device.refresh_from_db()
    device.last_t = -1  # the enrolment code may not be used again: start a fresh window
    device.save(update_fields=["last_t"])
    return device


def totp_code(device) -> str:
    """The code the person's application shows now."""
    from django_otp.oath import TOTP

    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():06d}"
