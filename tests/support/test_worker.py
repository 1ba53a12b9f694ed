"""A real Celery worker sends the notices the desk owes, once; a notice whose task was lost
(broker emptied, worker killed) is sent by the periodic sweep."""

import time
from datetime import timedelta

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail
from django.utils import timezone

from portal.celery import app
from support import services, tasks
from support.models import SupportNotice

pytestmark = pytest.mark.django_db(transaction=True)


def _wait_for(condition, seconds=20):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def test_the_worker_sends_the_filing_notice_once(tenant_a, member_factory, desk_user):
    referent = member_factory(tenant_a, role="admin")
    mail.outbox = []
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        filed = services.support_request_file(
            collectivite=tenant_a,
            user=referent,
            kind="incident",
            subject="Portail indisponible",
            description="Erreur 502 depuis 9 h.",
        )
        assert _wait_for(
            lambda: SupportNotice.objects.filter(request=filed, sent_at__isnull=False).exists()
        )
        tasks.notice_send.delay(SupportNotice.objects.get(request=filed).pk)  # a duplicate
        time.sleep(1)
    sent = [m for m in mail.outbox if filed.reference in m.subject]
    assert len(sent) == 1 and sent[0].to == [desk_user.email]


def test_the_sweep_sends_a_notice_whose_task_was_lost(tenant_a, member_factory, desk_user):
    referent = member_factory(tenant_a, role="admin")
    mail.outbox = []
    # Filed while no worker runs, then the queue is lost: only the database knows.
    filed = services.support_request_file(
        collectivite=tenant_a,
        user=referent,
        kind="assistance",
        subject="Nouvel utilisateur",
        description="Créer un compte pour la secrétaire.",
    )
    with app.connection_for_write() as conn:
        conn.default_channel.queue_purge(app.conf.task_default_queue)
    SupportNotice.objects.filter(request=filed).update(
        created_at=timezone.now() - timedelta(minutes=10)
    )
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        result = tasks.tick.delay().get(timeout=20)
        assert result["requeued"] == 1
        assert _wait_for(
            lambda: SupportNotice.objects.filter(request=filed, sent_at__isnull=False).exists()
        )
    assert len([m for m in mail.outbox if filed.reference in m.subject]) == 1
