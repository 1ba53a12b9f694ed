"""A platform admin onboards a commune through the wizard, in Chromium, and lands on the new
commune's home page."""

import re

import pytest
from django.db import connection
from playwright.sync_api import expect

from tenants.services.reference import CommuneRow, commune_reference_import
from tests.conftest import PASSWORD
from tests.identity.conftest import totp_code, totp_enrolled

SCHEMA = "c_saint_etienne_en_devoluy"


def _drop_schema():
    with connection.cursor() as cursor:
        cursor.execute(f'DROP SCHEMA IF EXISTS "{SCHEMA}" CASCADE')


@pytest.fixture
def reference(transactional_db):
    _drop_schema()
    commune_reference_import(
        rows=[
            CommuneRow("05139", "Saint-Étienne-en-Dévoluy", "05", "210501391", ["05250"], 560, 580),
            CommuneRow("05140", "Saint-Étienne-le-Laus", "05", "210501409", ["05130"], 271, 277),
            CommuneRow("05061", "Gap", "05", "210500617", ["05000"], 40656, 42060),
        ],
        population_year=2023,
    )
    yield
    # Live-server tests commit: the public tables are flushed afterwards, not the schema.
    _drop_schema()


def test_platform_admin_onboards_a_commune_with_the_wizard(
    page, site_url, operator, reference, user_factory
):
    admin = user_factory(is_platform_admin=True, first_name="Paule")
    device = totp_enrolled(admin)
    page.goto(site_url() + "/comptes/connexion/?next=/operateur/raccorder/")
    page.get_by_label("Adresse électronique").fill(admin.email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    # Issue 12: a platform admin's second factor.
    page.get_by_label("Code de vérification").fill(totp_code(device))
    page.get_by_role("button", name="Valider").click()
    expect(page.get_by_role("heading", name="Raccorder une commune")).to_be_visible()

    # Type-ahead, without accents: both "Saint-Étienne" communes are offered.
    page.get_by_label("Rechercher la commune").press_sequentially("saint etienne", delay=20)
    options = page.locator("#commune-results").get_by_role("option")
    expect(options).to_have_count(2)
    page.get_by_role("button", name=re.compile("Saint-Étienne-en-Dévoluy — 05139")).click()
    expect(page.get_by_label("Code INSEE retenu")).to_have_value("05139")
    expect(page.get_by_label("Identifiant de l'espace")).to_have_value("saint-etienne-en-devoluy")
    expect(page.locator("#slug-preview")).to_have_text("saint-etienne-en-devoluy.localhost")

    # Click the label, as a person would.
    page.locator("label", has_text="Convocation électronique des élus").click()
    expect(page.get_by_label("Convocation électronique des élus")).to_be_checked()
    page.get_by_label("Prénom du référent").fill("Claire")
    page.get_by_label("Nom du référent", exact=True).fill("Martin")
    page.get_by_label("Adresse électronique du référent").fill("claire.martin@devoluy.fr")
    page.get_by_role("button", name="Raccorder la commune").click()

    expect(page.get_by_text("Saint-Étienne-en-Dévoluy est raccordée.")).to_be_visible()
    expect(page.get_by_text("claire.martin@devoluy.fr").first).to_be_visible()
    page.get_by_role("link", name="saint-etienne-en-devoluy.localhost").click()

    expect(page).to_have_url(site_url("saint-etienne-en-devoluy") + "/")
    expect(page.get_by_role("heading", name="Saint-Étienne-en-Dévoluy", level=1)).to_be_visible()
    expect(page.get_by_role("link", name="Démarches en ligne (SVE)")).to_be_visible()
    expect(page.locator("img.site-footer__operator-logo")).to_be_visible()
    # Seed 000: the page stands in for a website; it must read on a phone (no sideways scroll).
    page.set_viewport_size({"width": 360, "height": 740})
    page.reload()
    expect(page.get_by_role("heading", name="Contact")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
