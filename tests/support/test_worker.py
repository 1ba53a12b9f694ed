"""A real Celery worker sends the notices the desk owes, once (portal.owed); a notice whose
task was lost (broker emptied, worker killed) is sent by the public owed sweep."""

import time
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from portal.celery import app
from portal.jobs.tasks import run_public_job
from portal.outbox.models import OutboxMessage
from portal.owed.models import OwedDocument
from support import services, tasks
from support.models import SupportNotice
from tests.conftest import worker_in_thread
from tests.killing import killed_then_swept, own_queue, queue_length

pytestmark = pytest.mark.django_db(transaction=True)


def _wait_for(condition, seconds=20):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def _sent(request) -> bool:
    notice_ids = SupportNotice.objects.filter(request=request).values_list("pk", flat=True)
    return OwedDocument.objects.filter(
        kind=SupportNotice.OWED_KIND, subject_id__in=list(notice_ids), issued_at__isnull=False
    ).exists()


def _file(referent, tenant_a, kind="assistance"):
    return services.support_request_file(
        collectivite=tenant_a,
        user=referent,
        kind=kind,
        subject="Portail indisponible",
        description="Erreur 502 depuis 9 h.",
    )


def test_the_worker_sends_the_filing_notice_once(tenant_a, member_factory, desk_user):
    referent = member_factory(tenant_a, role="admin")
    mail.outbox = []
    with worker_in_thread():
        filed = _file(referent, tenant_a, kind="incident")
        assert _wait_for(lambda: _sent(filed))
        tasks.notice_send.delay(SupportNotice.objects.get(request=filed).pk)  # a duplicate
        time.sleep(1)
    sent = [m for m in mail.outbox if filed.reference in m.subject]
    assert len(sent) == 1 and sent[0].to == [desk_user.email]


def test_the_sweep_sends_a_notice_whose_task_was_lost(tenant_a, member_factory, desk_user):
    referent = member_factory(tenant_a, role="admin")
    mail.outbox = []
    # Filed while no worker runs, then the queue is lost: only the database knows.
    filed = _file(referent, tenant_a)
    with app.connection_for_write() as conn:
        conn.default_channel.queue_purge(app.conf.task_default_queue)
    OwedDocument.objects.filter(kind=SupportNotice.OWED_KIND).update(
        queued_at=timezone.now() - timedelta(minutes=10)
    )
    with worker_in_thread():
        # Beat's public sweep, as it runs every five minutes.
        result = run_public_job.delay(job="owed.sweep_public").get(timeout=20)
        assert result["result"] == {"requeued": 1}
        assert _wait_for(lambda: _sent(filed))
    assert len([m for m in mail.outbox if filed.reference in m.subject]) == 1


def test_worker_killed_after_taking_the_notice_then_the_sweep_sends_it_once(
    tenant_a, member_factory, desk_user, monkeypatch
):
    """SIGKILL the worker right after it took the notice's task: the task is lost with it;
    the owed row still says the notice is owed, and the sweep queues it again: one e-mail."""
    referent = member_factory(tenant_a, role="admin")
    queue = own_queue(monkeypatch)
    filed = _file(referent, tenant_a)  # committed; its task waits in the queue
    assert queue_length(queue) == 1
    killed_then_swept(queue, kind=SupportNotice.OWED_KIND)
    assert OutboxMessage.objects.filter(subject__contains=filed.reference).count() == 1
