"""The annual campaign through the real Celery worker: progress, PDFs, e-mails, and a second
run that issues nothing."""

import time

import pytest

from billing.models import Campaign, Titre, TitreSequence
from billing.selectors import campaign_delivered
from billing.services import campaign_create, campaign_launch
from portal.audit.history import history_verify
from portal.outbox.models import OutboxMessage

pytestmark = pytest.mark.django_db(transaction=True)


def _wait(campaign, timeout=120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        campaign.refresh_from_db()
        if campaign.state in (Campaign.State.DONE, Campaign.State.FAILED) and (
            campaign_delivered(campaign=campaign) >= campaign.issued
        ):
            return campaign
        time.sleep(0.3)
    raise AssertionError(f"campaign still {campaign.state}: {campaign.done}/{campaign.total}")


def test_campaign_runs_in_the_worker_and_twice_issues_nothing(
    worker_process, laverune_setup, share_model, user_factory, settings
):
    from tenants.models import Membership

    admin = user_factory(email="maire@laverune.example.fr")
    Membership.objects.create(
        user=admin, collectivite=laverune_setup[0].collectivite, role=Membership.Role.ADMIN
    )
    finance = user_factory(is_finance=True)
    campaign = campaign_create(year=2026, model_ids=[share_model.pk], acting_user=finance)
    campaign_launch(campaign=campaign, acting_user=finance)
    campaign = _wait(campaign)
    assert campaign.state == Campaign.State.DONE, campaign.errors
    assert (campaign.total, campaign.done, campaign.issued, campaign.skipped) == (3, 3, 3, 0)
    titres = list(Titre.objects.order_by("number"))
    assert [t.number for t in titres] == [1, 2, 3]
    assert all(t.pdf is not None and t.notified_on and not t.mail_owed for t in titres)
    # The worker's e-mails go to the outbox (no SMTP in tests' worker): one for Lavérune.
    mails = OutboxMessage.objects.filter(to__contains=["maire@laverune.example.fr"])
    assert mails.count() == 1
    laverune = Titre.objects.get(collectivite=laverune_setup[0].collectivite)
    assert mails.get().attachments.get().filename == laverune.filename

    again = campaign_create(year=2026, model_ids=[share_model.pk], acting_user=finance)
    campaign_launch(campaign=again, acting_user=finance)
    again = _wait(again)
    assert (again.issued, again.skipped) == (0, 3)
    assert Titre.objects.count() == 3
    assert TitreSequence.objects.get(year=2026).last_number == 3
    assert OutboxMessage.objects.filter(to__contains=["maire@laverune.example.fr"]).count() == 1
    assert history_verify(stream="billing") == []
