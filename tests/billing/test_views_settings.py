"""Finance staff's pages for the issuer and the members (Chorus Pro, package, services)."""

from datetime import date

import pytest
import time_machine

from billing.liquidation import liquidate
from billing.models import BillingProfile, ConventionPackage, Issuer, ServiceUsage
from billing.services import titre_issue
from billing.services.titres import issuer_snapshot
from tests.billing.test_services_settings import VALID_SIRET, _issuer_values
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_pages_are_for_finance_staff_only(operator_client, user_factory, client_a, tenant_a):
    agent = user_factory()
    operator_client.login(email=agent.email, password=PASSWORD)
    for url in ("/facturation/ordonnateur/", "/facturation/membres/", "/facturation/exports/"):
        assert operator_client.get(url).status_code == 403
        assert client_a.get(url).status_code == 404
    assert operator_client.get(f"/facturation/membres/{tenant_a.pk}/").status_code == 403


def test_issuer_page_refuses_bad_input_then_saves(finance_client):
    page = finance_client.get("/facturation/ordonnateur/").content.decode()
    assert "L&#x27;ordonnateur n&#x27;est pas renseigné" in page
    bad = finance_client.post("/facturation/ordonnateur/", _issuer_values(siret="1234", bic="X"))
    assert bad.status_code == 400
    content = bad.content.decode()
    assert (
        "Ce numéro SIRET n&#x27;est pas valide" in content
        and "Ce BIC n&#x27;est pas valide" in content
    )
    assert not Issuer.objects.exists()
    ok = finance_client.post("/facturation/ordonnateur/", _issuer_values())
    assert ok.status_code == 302 and Issuer.objects.get().siret == "25050001400015"
    page = finance_client.get("/facturation/ordonnateur/").content.decode()
    assert "pas renseigné" not in page and "Claire" in page
    assert "tribunal administratif" in page and "créance de droit" not in page.split("<details")[0]
    finance_client.post(
        "/facturation/ordonnateur/", _issuer_values(court="le tribunal judiciaire de Gap")
    )
    page = finance_client.get("/facturation/ordonnateur/").content.decode()
    assert "La juridiction indiquée est un tribunal judiciaire" in page


def test_members_list_constant_queries(
    finance_client, issued, member, convention_for, share_model, django_assert_num_queries
):
    finance_client.get("/facturation/membres/")  # steady state: the session is cached
    # Issue 22: + the staff-access gate's look-up of the session's second-factor device (kept in memory outside a test's transaction).
    with django_assert_num_queries(7):
        response = finance_client.get("/facturation/membres/")
    assert response.content.decode().count("manquant") == 2
    for n in range(4):
        BillingProfile.objects.create(
            collectivite=convention_for(member(f"Ajout {n}", 500), share_model).collectivite,
            siret=VALID_SIRET,
        )
    with django_assert_num_queries(7):
        response = finance_client.get("/facturation/membres/?q=Ajout")
    assert response.content.decode().count(VALID_SIRET) == 4


def test_member_page_profile_package_and_usage(
    finance_client, member, convention_for, issuer, packages_model
):
    collectivite = member("Commune au forfait", 800)
    convention = convention_for(collectivite, packages_model)
    url = f"/facturation/membres/{collectivite.pk}/"
    page = finance_client.get(url).content.decode()
    assert "Technologie Plus" in page and "Journée conseil en équipement" in page

    bad = finance_client.post(url, {"siret": VALID_SIRET, "service_code_required": "on"})
    assert bad.status_code == 400
    assert "Ce membre exige un code service" in bad.content.decode()
    assert not BillingProfile.objects.exists()
    ok = finance_client.post(
        url, {"siret": VALID_SIRET, "service_code_required": "on", "service_code": "FIN-01"}
    )
    assert ok.status_code == 302 and BillingProfile.objects.get().service_code == "FIN-01"

    package_url = f"{url}forfait/{convention.pk}/"
    bad = finance_client.post(package_url, {f"p{convention.pk}-package_code": "or"})
    assert bad.status_code == 400 and "Sélectionnez un choix valide" in bad.content.decode()
    finance_client.post(
        package_url,
        {f"p{convention.pk}-package_code": "technologie", f"p{convention.pk}-decided_by": "n° 14"},
    )
    assert ConventionPackage.objects.get(convention=convention).package_code == "technologie"
    usage_url = f"{url}prestations/"
    fields = {
        "usage-convention": convention.pk,
        "usage-service_code": "conseil",
        "usage-used_on": "2025-12-31",
        "usage-quantity": "2",
        "usage-note": "Formation des agents",
    }
    bad = finance_client.post(usage_url, fields)
    assert bad.status_code == 400
    assert "hors de la période de la convention" in bad.content.decode()
    bad = finance_client.post(
        usage_url, fields | {"usage-used_on": "2026-03-03", "usage-quantity": "-1"}
    )
    assert bad.status_code == 400 and not ServiceUsage.objects.exists()
    ok = finance_client.post(usage_url, fields | {"usage-used_on": "2026-03-03"}, follow=True)
    assert "sera facturée par la campagne 2026" in ok.content.decode()
    usage = ServiceUsage.objects.get()
    assert (usage.used_on, usage.quantity, usage.year) == (date(2026, 3, 3), 2, 2026)
    page = finance_client.get(url).content.decode()
    assert "Formation des agents" in page and "campagne 2026" in page
    finance_client.post(f"{url}prestations/{usage.pk}/supprimer/")
    assert not ServiceUsage.objects.exists()

    # Once this year's titre is issued, a new package changes it only through a correction.
    (bill,) = liquidate(year=2026, model_ids=[packages_model.pk]).members
    titre_issue(bill=bill, year=2026, issuer=issuer_snapshot(), today=date(2026, 9, 1))
    with time_machine.travel("2026-10-15 10:00 +02:00", tick=False):
        changed = finance_client.post(
            package_url,
            {f"p{convention.pk}-package_code": "techno-plus", f"p{convention.pk}-decided_by": "15"},
            follow=True,
        )
    assert "il ne changera que par une correction de ce titre" in changed.content.decode()
    assert ConventionPackage.objects.get(convention=convention).package_code == "techno-plus"

    # A service recorded after the titre waits for its correction, and stays.
    late = finance_client.post(usage_url, fields | {"usage-used_on": "2026-03-04"}, follow=True)
    assert "elle ne sera facturée que par une correction de ce titre" in late.content.decode()
    late_usage = ServiceUsage.objects.get()
    finance_client.post(f"{url}prestations/{late_usage.pk}/supprimer/")
    assert ServiceUsage.objects.filter(pk=late_usage.pk).exists()
