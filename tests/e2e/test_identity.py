"""Identity journeys in Chromium: single sign-on across two communes and logout everywhere,
a citizen through the FranceConnect stand-in, a platform admin enrolling a second factor."""

import re
from base64 import b32decode

import pytest
from django_otp.oath import totp
from playwright.sync_api import expect

from identity.services.sso import sso_clients_sync
from tests.conftest import PASSWORD
from tests.identity.conftest import upstream  # noqa: F401  (the stand-in provider fixture)


@pytest.fixture
def sso(live_server, settings, tenant_a, tenant_b):
    settings.PORTAL_PORT = live_server.url.rsplit(":", 1)[1]
    sso_clients_sync()


def _login_pages_shown(page) -> list[str]:
    shown = []
    page.on(
        "response",
        lambda r: (
            shown.append(r.url) if "/comptes/connexion/" in r.url and r.status == 200 else None
        ),
    )
    return shown


def test_one_login_for_two_communes_and_one_logout_for_all(page, site_url, sso, user_factory):
    user = user_factory(first_name="Camille")
    page.goto(site_url("test-a") + "/")
    page.get_by_role("link", name="Se connecter").click()
    expect(page).to_have_url(re.compile(r"^http://localhost:\d+/comptes/connexion/"))
    page.get_by_label("Adresse électronique").fill(user.email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page).to_have_url(site_url("test-a") + "/")
    expect(page.get_by_role("link", name="Camille")).to_be_visible()

    shown = _login_pages_shown(page)
    page.goto(site_url("test-b") + "/")
    page.get_by_role("link", name="Se connecter").click()
    expect(page).to_have_url(site_url("test-b") + "/")
    expect(page.get_by_role("link", name="Camille")).to_be_visible()
    assert shown == [], shown

    page.get_by_role("button", name="Se déconnecter").click()
    expect(page).to_have_url(site_url("test-b") + "/")
    expect(page.get_by_role("link", name="Se connecter")).to_be_visible()
    for slug in ("test-a", None):
        page.goto(site_url(slug) + "/")
        expect(page.get_by_role("link", name="Se connecter")).to_be_visible()


def test_a_citizen_signs_in_on_a_commune_through_franceconnect(page, site_url, sso, upstream):  # noqa: F811
    upstream(portal_origin=site_url())
    page.goto(site_url("test-a") + "/")
    page.get_by_role("link", name="Se connecter").click()
    page.get_by_role("link", name="S'identifier avec FranceConnect").click()
    expect(page).to_have_url(re.compile(r"^http://127\.0\.0\.1:\d+/login/"))
    page.locator("#id_username").fill("camille")
    page.locator("#id_password").fill("mot-de-passe-du-fournisseur")
    page.get_by_role("button", name="Valider").click()
    expect(page).to_have_url(site_url("test-a") + "/")
    expect(page.get_by_role("link", name="Camille")).to_be_visible()


def test_a_platform_admin_enrols_and_uses_a_second_factor(page, site_url, operator, user_factory):
    admin = user_factory(is_platform_admin=True, first_name="Paule")
    page.goto(site_url() + "/comptes/connexion/?next=/operateur/raccorder/")
    page.get_by_label("Adresse électronique").fill(admin.email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("heading", name="Double authentification")).to_be_visible()
    expect(page.get_by_role("img", name=re.compile("Code QR"))).to_be_visible()
    secret = page.locator("code.wrap").inner_text()
    page.get_by_label("Code de vérification").fill(f"{totp(b32decode(secret)):06d}")
    page.get_by_role("button", name="Valider").click()
    expect(page.get_by_role("heading", name="Vos codes de secours")).to_be_visible()
    expect(page.locator(".recovery-codes li")).to_have_count(10)
    page.get_by_role("link", name="Continuer").click()
    expect(page.get_by_role("heading", name="Raccorder une commune")).to_be_visible()
