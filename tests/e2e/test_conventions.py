"""A platform admin creates a convention for a commune and records its signature, in
Chromium; the commune's admin then reads it in its back office."""

import pytest
from playwright.sync_api import expect

from conventions.models import Convention
from tenants.models import Membership
from tests.e2e.conftest import sign_in


@pytest.mark.django_db(transaction=True)
def test_platform_admin_creates_and_signs_a_convention_the_commune_admin_reads_it(
    page, site_url, operator, tenant_a, user_factory, member_factory
):
    admin = user_factory(is_platform_admin=True, first_name="Paule")
    sign_in(page, site_url() + "/comptes/connexion/?next=/conventions/nouvelle/", admin)
    expect(page.get_by_role("heading", name="Nouvelle convention")).to_be_visible()
    page.get_by_label("Modèle de convention").select_option(
        label="Convention SVE du Département (gratuite)"
    )
    page.locator("#id_collectivite").select_option(label="Commune A")
    page.get_by_label("Signataire pour la collectivité").fill("Marie Dupont")
    page.get_by_role("button", name="Créer le brouillon").click()
    expect(page.get_by_text("créée (brouillon)")).to_be_visible()

    page.get_by_role("button", name="Envoyer pour signature").click()
    expect(page.get_by_text("Convention envoyée pour signature")).to_be_visible()
    page.get_by_label("Signée le").fill("2025-03-10")
    page.get_by_role("button", name="Enregistrer la signature").click()
    expect(page.get_by_text("Signature enregistrée.")).to_be_visible()
    expect(page.locator(".badge", has_text="En vigueur")).to_be_visible()
    convention = Convention.objects.get(collectivite=tenant_a)
    assert convention.state == Convention.State.ACTIVE

    commune_admin = member_factory(tenant_a, role=Membership.Role.ADMIN)
    page.context.clear_cookies()
    sign_in(
        page, site_url("test-a") + "/comptes/connexion/?next=/gestion/conventions/", commune_admin
    )
    expect(page.get_by_role("heading", name="Nos conventions")).to_be_visible()
    page.get_by_role("link", name="Convention SVE du Département (gratuite)").click()
    expect(page.get_by_text("10/03/2025").first).to_be_visible()
    expect(page.get_by_text("Démarches en ligne (SVE) (du 10/03/2025)")).to_be_visible()
