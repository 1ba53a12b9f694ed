"""portal/owed: a legally owed document is a row from the change that owes it until it is
issued, issued once whatever the number of runs, and re-queued by the sweep when lost."""

from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from portal.jobs.services import job_run
from portal.owed.models import OwedDocument
from portal.owed.selectors import owed_pending
from portal.owed.services import owed_issuing, owed_record, owed_settle, owed_sweep
from tests.conftest import in_tenant

pytestmark = pytest.mark.django_db(transaction=True)


def queued(monkeypatch) -> list:
    """The tasks sent to the broker (what would be queued), recorded instead."""
    sent: list = []
    monkeypatch.setattr(
        "portal.owed.services._send",
        lambda task, schema_name, subject_id: sent.append((task, [subject_id], schema_name)),
    )
    return sent


def test_recorded_with_the_change_and_queued_on_commit_only(tenant_a, monkeypatch):
    sent = queued(monkeypatch)
    with in_tenant(tenant_a):
        with pytest.raises(RuntimeError), transaction.atomic():
            owed_record(kind="test.doc", subject_ids=[1], task="test.issue")
            raise RuntimeError("the change fails")
        assert not OwedDocument.objects.exists() and sent == []
        with transaction.atomic():
            owed_record(kind="test.doc", subject_ids=[1, 2], task="test.issue")
            owed_record(kind="test.doc", subject_ids=[1], task="test.issue")  # kept once
            assert sent == []
        assert sent == [("test.issue", [pk], connection.schema_name) for pk in (1, 2, 1)]
        assert OwedDocument.objects.count() == 2
        assert owed_pending(subject_id=1, kinds=["test.doc", "test.other"]) == ["test.doc"]


def test_issued_once_and_a_failed_issue_stays_owed(tenant_a, monkeypatch):
    queued(monkeypatch)
    with in_tenant(tenant_a):
        with transaction.atomic():
            owed_record(kind="test.doc", subject_ids=[7], task="test.issue")
        with pytest.raises(RuntimeError), owed_issuing(kind="test.doc", subject_id=7) as owed:
            assert owed is True
            raise RuntimeError("rendering failed")
        assert owed_pending(subject_id=7, kinds=["test.doc"]) == ["test.doc"]
        with owed_issuing(kind="test.doc", subject_id=7) as owed:
            assert owed is True
        with owed_issuing(kind="test.doc", subject_id=7) as owed:
            assert owed is False  # second run: no-op
        assert owed_pending(subject_id=7, kinds=["test.doc"]) == []
        owed_settle(kind="test.doc", subject_id=7)  # idempotent
        assert OwedDocument.objects.get().issued_at is not None


def test_sweep_requeues_what_is_still_owed_after_the_delay(tenant_a, tenant_b, monkeypatch):
    sent = queued(monkeypatch)
    with in_tenant(tenant_a):
        with transaction.atomic():
            owed_record(kind="test.doc", subject_ids=[1, 2, 3], task="test.issue")
        with owed_issuing(kind="test.doc", subject_id=3):
            pass
        sent.clear()
        assert owed_sweep(older_than=timedelta(minutes=5)) == {"requeued": 0}
        OwedDocument.objects.update(queued_at=timezone.now() - timedelta(minutes=6))
        assert owed_sweep(older_than=timedelta(minutes=5)) == {"requeued": 2}
        assert sorted(sent) == [("test.issue", [1], "c_test_a"), ("test.issue", [2], "c_test_a")]
        assert set(
            OwedDocument.objects.filter(issued_at=None).values_list("attempts", flat=True)
        ) == {2}
        # Just re-queued: not again before the delay.
        assert owed_sweep(older_than=timedelta(minutes=5)) == {"requeued": 0}
    with in_tenant(tenant_b):
        assert owed_sweep(older_than=timedelta(0)) == {"requeued": 0}  # A's rows stay in A


def test_the_sweep_is_a_tenant_job(tenant_a, monkeypatch, settings):
    sent = queued(monkeypatch)
    settings.OWED_RESEND_AFTER_SECONDS = 0
    with in_tenant(tenant_a):
        with transaction.atomic():
            owed_record(kind="test.doc", subject_ids=[5], task="test.issue")
        sent.clear()
        run = job_run(job="owed.sweep")
        assert run.result == {"requeued": 1} and sent == [("test.issue", [5], "c_test_a")]
