"""billing/jobs.py (issue 27): the daily job's reminders are owed through portal.owed, sent
once by the worker however often its task runs, re-queued by the sweep when lost; the
reminders written before become issued owed documents."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from billing import tasks
from billing.jobs import campaign_reminder
from billing.models import Reminder
from portal.owed.models import OwedDocument
from portal.owed.services import owed_sweep
from tests.migrating import migrate_to, migrate_to_latest


def test_a_reminder_is_owed_with_the_job_sent_once_and_swept_when_lost(
    laverune_setup, user_factory, mailoutbox, django_capture_on_commit_callbacks, monkeypatch
):
    queued = []
    monkeypatch.setattr(
        "portal.owed.services._send", lambda task, schema, pk: queued.append((task, pk, schema))
    )
    user_factory(email="finance@operateur.example.fr", is_finance=True)
    with django_capture_on_commit_callbacks(execute=True):
        assert campaign_reminder(today=date(2026, 9, 1)) == 1
    reminder = Reminder.objects.get()
    assert reminder.key == "campaign-2026-2026-09-01" and "30/09/2026" in reminder.subject
    assert queued == [("billing.reminder_send", reminder.pk, "public")]
    owed = OwedDocument.objects.get(kind="billing.reminder", subject_id=reminder.pk)
    assert owed.issued_at is None and mailoutbox == []
    # Its task was lost (broker emptied): the sweep queues it again after the delay.
    queued.clear()
    OwedDocument.objects.update(queued_at=timezone.now() - timedelta(minutes=10))
    with django_capture_on_commit_callbacks(execute=True):
        assert owed_sweep(older_than=timedelta(minutes=5)) == {"requeued": 1}
    assert queued == [("billing.reminder_send", reminder.pk, "public")]
    assert tasks.reminder_send(reminder.pk) is True
    assert tasks.reminder_send(reminder.pk) is False  # delivered twice: one mail
    assert [(m.subject, m.to) for m in mailoutbox] == [
        (reminder.subject, ["finance@operateur.example.fr"])
    ]
    owed.refresh_from_db()
    assert owed.issued_at is not None
    assert owed_sweep(older_than=timedelta(0)) == {"requeued": 0}


@pytest.mark.django_db(transaction=True)
def test_reminders_sent_before_become_issued_owed_documents():
    old = migrate_to(("billing", "0003_pes_dossier_settings_and_bordereaux"))
    try:
        reminder = old.get_model("billing", "Reminder")
        sent = reminder.objects.create(key="campaign-2025-2025-09-01")
    finally:
        migrate_to_latest("billing")
    row = OwedDocument.objects.get(kind="billing.reminder")
    assert (row.subject_id, row.task) == (sent.pk, "billing.reminder_send")
    assert row.issued_at == sent.sent_at
    assert Reminder.objects.get().created_at == sent.sent_at


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_after_taking_the_reminder_sends_it_once(
    laverune_setup, user_factory, monkeypatch
):
    from portal.outbox.models import OutboxMessage
    from tests.killing import killed_then_swept, own_queue, queue_length

    user_factory(email="finance@operateur.example.fr", is_finance=True)
    queue = own_queue(monkeypatch)
    assert campaign_reminder(today=date(2026, 9, 1)) == 1
    assert queue_length(queue) == 1
    killed_then_swept(queue, kind=Reminder.OWED_KIND)
    assert OutboxMessage.objects.filter(subject=Reminder.objects.get().subject).count() == 1
