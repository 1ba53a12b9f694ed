"""portal/owed: a legally owed document is a row from the change that owes it until it is
issued, issued once whatever the number of runs, and re-queued by the sweep when lost."""

import threading
from datetime import timedelta

import pytest
from celery import shared_task
from django.db import connection, transaction
from django.utils import timezone

from portal.jobs.services import job_run
from portal.owed import services as owed_services
from portal.owed.models import OwedDocument
from portal.owed.selectors import owed_pending
from portal.owed.services import (
    owed_issuing,
    owed_issuing_batch,
    owed_record,
    owed_settle,
    owed_sweep,
)
from portal.owed.tasks import owed_issue_batch
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


def test_many_subjects_are_queued_in_batches_not_one_message_each(tenant_a, monkeypatch):
    """The implicit-decision job owes thousands of notices at once: one broker message per
    batch of them (one push each cost the nightly job seconds), each still recorded with
    the change and queued on commit only."""
    sent = queued(monkeypatch)
    batches: list = []
    monkeypatch.setattr(
        "portal.owed.services._send_batch",
        lambda task, schema_name, subject_ids: batches.append((task, subject_ids, schema_name)),
    )
    monkeypatch.setattr("portal.owed.services.BATCH", 3)
    with in_tenant(tenant_a):
        with transaction.atomic():
            owed_record(kind="test.doc", subject_ids=range(1, 8), task="test.issue")
            assert batches == []
        assert sent == []
        assert batches == [
            ("test.issue", [1, 2, 3], "c_test_a"),
            ("test.issue", [4, 5, 6], "c_test_a"),
            ("test.issue", [7], "c_test_a"),
        ]
        assert OwedDocument.objects.filter(issued_at=None).count() == 7


issued_by_test_task: list[int] = []


@shared_task(name="test.owed_issue")
def owed_issue_for_test(subject_id: int) -> bool:
    with owed_issuing(kind="test.doc", subject_id=subject_id) as owed:
        if owed:
            if subject_id == 5:
                raise RuntimeError("rendering failed")
            issued_by_test_task.append(subject_id)
        return owed


def test_a_batch_issues_each_subject_once_and_a_failure_stops_only_its_own(tenant_a, monkeypatch):
    queued(monkeypatch)
    issued_by_test_task.clear()
    with in_tenant(tenant_a):
        with transaction.atomic():
            owed_record(kind="test.doc", subject_ids=[4, 5, 6], task="test.owed_issue")
        with pytest.raises(RuntimeError, match="rendering failed"):
            owed_issue_batch("test.owed_issue", [4, 5, 6])
        assert issued_by_test_task == [4, 6]
        assert owed_pending(subject_id=5, kinds=["test.doc"]) == ["test.doc"]  # the sweep's
        with pytest.raises(RuntimeError):
            owed_issue_batch("test.owed_issue", [4, 5, 6])  # delivered twice: no second issue
        assert issued_by_test_task == [4, 6]


issued_together: list[list[int]] = []


def issue_together(subject_ids: list[int]) -> None:
    with owed_issuing_batch(kind="test.doc", subject_ids=subject_ids) as owed:
        issued_together.append(owed)


@shared_task(name="test.owed_issue_together")
def owed_issue_together_alone(subject_id: int) -> None:
    issue_together([subject_id])


def test_a_batch_issuer_gets_its_subjects_together_each_issued_once(tenant_a, monkeypatch):
    """SMS reminders: a task with a batch issuer has even a few subjects queued as one batch,
    issued in one transaction; a subject another worker is issuing this instant (row
    locked) is left to it, one issued already is skipped."""
    sent = queued(monkeypatch)
    batches: list = []
    monkeypatch.setattr(
        "portal.owed.services._send_batch",
        lambda task, schema_name, subject_ids: batches.append((task, subject_ids, schema_name)),
    )
    monkeypatch.setitem(owed_services._BATCH_ISSUERS, "test.owed_issue_together", issue_together)
    issued_together.clear()
    with in_tenant(tenant_a):
        with transaction.atomic():
            owed_record(kind="test.doc", subject_ids=[1, 2, 3], task="test.owed_issue_together")
        assert sent == [] and batches == [("test.owed_issue_together", [1, 2, 3], "c_test_a")]
        held, release = threading.Event(), threading.Event()

        def another_worker() -> None:
            with in_tenant(tenant_a), owed_issuing(kind="test.doc", subject_id=2):
                held.set()
                release.wait(10)
            connection.close()

        thread = threading.Thread(target=another_worker)
        thread.start()
        assert held.wait(10)
        owed_issue_batch("test.owed_issue_together", [3, 1, 2])
        release.set()
        thread.join()
        owed_issue_batch("test.owed_issue_together", [3, 1, 2])  # delivered twice
        assert issued_together == [[3, 1], []]
        assert OwedDocument.objects.filter(issued_at=None).count() == 0
