"""A finance officer runs the year's campaign in Chromium, follows its progress and downloads
a titre; the commune admin finds it in its back office and contests it."""

import re

import pytest
from playwright.sync_api import expect

from tests.billing.conftest import (  # noqa: F401  (fixtures)
    convention_for,
    issuer,
    member,
    share_model,
    share_tariff,
)
from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_finance_runs_campaign_and_commune_admin_contests(
    page,
    site_url,
    worker_process,
    operator,
    tenant_a,
    user_factory,
    member_factory,
    member,  # noqa: F811
    convention_for,  # noqa: F811
    share_model,  # noqa: F811
    share_tariff,  # noqa: F811
    issuer,  # noqa: F811
):
    from billing.models import Titre
    from tenants.models import Collectivite, Membership

    Collectivite.objects.filter(pk=tenant_a.pk).update(
        population_totale=1_000, population_year=2023
    )
    convention_for(tenant_a, share_model)
    convention_for(member("Autre membre", 3_000), share_model)
    finance = user_factory(is_finance=True)
    admin = member_factory(tenant_a, role=Membership.Role.ADMIN)

    sign_in(page, site_url() + "/comptes/connexion/?next=/facturation/", finance)
    expect(page.get_by_role("heading", name="Facturation", exact=True)).to_be_visible()
    page.get_by_label("Année facturée").fill("2026")
    page.get_by_label(share_model.name).check()
    page.get_by_role("button", name="Préparer la campagne").click()
    expect(page.get_by_role("heading", name=re.compile("Campagne 2026"))).to_be_visible()
    expect(page.get_by_text("Rapprochement par application")).to_be_visible()

    # Issue 24 §2: the preview first, then an explicit confirmation naming count and total.
    launch = page.locator("#campaign-launch")
    expect(launch.get_by_label(re.compile("Je confirme l'émission de 2 titres"))).to_be_visible()
    launch.get_by_label(re.compile("Je confirme l'émission")).check()
    launch.get_by_role("button", name=re.compile("^Émettre 2 titres")).click()
    # The static script polls the progress and reloads once every PDF is sent.
    expect(page.locator("#delivery-text")).to_have_text("2 sur 2", timeout=90_000)
    expect(page.locator("#campaign-state")).to_have_text("Émise")

    page.get_by_role("link", name="Titres de l'année").click()
    titre = Titre.objects.get(collectivite=tenant_a)
    with page.expect_download() as download_info:
        page.get_by_role("link", name=f"Télécharger le titre {titre.reference}").click()
    download = download_info.value
    assert download.suggested_filename == titre.filename
    with open(download.path(), "rb") as pdf:
        assert pdf.read(4) == b"%PDF"

    member_page = page.context.browser.new_context(locale="fr-FR").new_page()
    sign_in(member_page, site_url("test-a") + "/comptes/connexion/?next=/gestion/factures/", admin)
    expect(member_page.get_by_role("heading", name="Factures")).to_be_visible()
    member_page.get_by_role("link", name=titre.reference).click()
    member_page.get_by_label("Motif de la contestation").fill("Notre population est de 950.")
    member_page.get_by_role("button", name="Contester").click()
    expect(member_page.get_by_text("Contestation transmise au service financier.")).to_be_visible()
    titre.refresh_from_db()
    assert titre.status == Titre.Status.CONTESTED
    member_page.context.close()
