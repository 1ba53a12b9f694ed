"""Issue 24 §2: "Émettre les titres" shows the preview first, its warnings summarised, and
issues only after an explicit confirmation naming the number of titres and the total."""

import re

import pytest

from billing.models import Campaign
from billing.services import campaign_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(laverune_setup, share_model, user_factory):
    return campaign_create(
        year=2026, model_ids=[share_model.pk], acting_user=user_factory(is_finance=True)
    )


def test_the_page_reads_preview_then_warnings_then_a_confirmation_with_count_and_total(
    finance_client, campaign
):
    html = finance_client.get(f"/facturation/campagnes/{campaign.pk}/").content.decode()
    preview = html.index("Liquidation par membre")
    launch = html.index('id="campaign-launch"')
    assert preview < launch  # the button no longer stands above the preview
    members = len(re.findall(r'name="collectivite" value="', html))
    total = re.search(r'name="total_ttc" value="(\d+)"', html).group(1)
    assert re.search(rf"Je confirme l&#x27;émission de {members} titres? de recette", html) or (
        re.search(rf"Je confirme l'émission de {members} titres? de recette", html)
    )
    assert int(total) > 0 and "TTC" in html[launch:]


def test_without_the_confirmation_nothing_is_issued(finance_client, campaign):
    response = finance_client.post(f"/facturation/campagnes/{campaign.pk}/lancer/", {})
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert campaign.state == Campaign.State.DRAFT


def test_a_preview_that_changed_since_it_was_read_is_refused(finance_client, campaign):
    response = finance_client.post(
        f"/facturation/campagnes/{campaign.pk}/lancer/",
        {"confirm": "1", "members": "99", "total_ttc": "1"},
        follow=True,
    )
    assert "L&#x27;aperçu a changé" in response.content.decode() or "L'aperçu a changé" in (
        response.content.decode()
    )
    campaign.refresh_from_db()
    assert campaign.state == Campaign.State.DRAFT


def test_the_confirmed_preview_is_issued(
    finance_client, campaign, django_capture_on_commit_callbacks
):
    html = finance_client.get(f"/facturation/campagnes/{campaign.pk}/").content.decode()
    members = re.search(r'name="members" value="(\d+)"', html).group(1)
    total = re.search(r'name="total_ttc" value="(\d+)"', html).group(1)
    with django_capture_on_commit_callbacks(execute=False):
        finance_client.post(
            f"/facturation/campagnes/{campaign.pk}/lancer/",
            {"confirm": "1", "members": members, "total_ttc": total},
        )
    campaign.refresh_from_db()
    assert campaign.state == Campaign.State.QUEUED and campaign.total == int(members)


def test_warnings_are_summarised_with_the_number_of_members():
    from billing.liquidation import Liquidation, MemberBill, ModelBill

    a, b = MemberBill.__new__(MemberBill), MemberBill.__new__(MemberBill)
    a.warnings, b.warnings = ["SIREN manquant", "adresse manquante"], ["SIREN manquant"]
    liquidation = Liquidation(
        year=2026, models=[ModelBill(model=None, tariff=None, members=[a, b])]
    )
    assert liquidation.warnings_summary == [("SIREN manquant", 2), ("adresse manquante", 1)]
