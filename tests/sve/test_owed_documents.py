"""Every document the law owes a citizen is recorded as owed with the change that owes it,
issued once, and issued even when the worker that had its task was killed (issue 8)."""

import hashlib
import os
import signal
import time
from datetime import timedelta

import pytest
from django.db import transaction

from portal.celery import app
from portal.outbox.models import OutboxMessage
from portal.owed.models import OwedDocument
from portal.owed.selectors import owed_pending
from portal.owed.services import owed_sweep
from sve import services, tasks
from sve.models import Document, Regime, Request, Status
from tests.conftest import (
    PASSWORD,
    default_queue_set,
    in_tenant,
    queue_delete,
    worker_start,
    worker_stop,
)
from tests.sve.conftest import submit

pytestmark = pytest.mark.django_db(transaction=True)


def queue_length(queue: str) -> int:
    with app.connection_for_write() as conn:
        return conn.default_channel.client.llen(queue)


def aee_mails(req: Request) -> int:
    return OutboxMessage.objects.filter(
        subject__contains=f"Accusé d'enregistrement électronique — demande {req.reference}"
    ).count()


def test_steps_record_what_they_owe_in_their_transaction(tenant_a, form_a, agent_a, eager_tasks):
    with in_tenant(tenant_a):
        with pytest.raises(RuntimeError), transaction.atomic():
            submit(form_a)
            raise RuntimeError("the filing fails after the service")
        assert not OwedDocument.objects.exists()
        req = submit(form_a)
        services.request_qualify(request=req, acting_user=agent_a, regime=Regime.SVA)
        services.request_decide(request=req, acting_user=agent_a, accept=True, reasons="")
        rows = dict(OwedDocument.objects.values_list("kind", "subject_id"))
        assert rows == {"sve.aee": req.pk, "sve.ar": req.pk, "sve.decision": req.pk}
        # Eager worker: each was issued on commit, once.
        assert not OwedDocument.objects.filter(issued_at=None).exists()
        for kind in (Document.Kind.AEE, Document.Kind.AR, Document.Kind.DECISION):
            assert Document.objects.filter(request=req, kind=kind).count() == 1


def test_a_second_run_of_a_task_is_a_no_op(tenant_a, form_a, outbox):
    with in_tenant(tenant_a):
        req = submit(form_a)  # no worker: the AEE stays owed
        assert owed_pending(subject_id=req.pk, kinds=["sve.aee"]) == ["sve.aee"]
        assert tasks.aee_issue(req.pk) is True
        assert tasks.aee_issue(req.pk) is False
        assert Document.objects.filter(request=req, kind=Document.Kind.AEE).count() == 1
        assert [m.to for m in outbox] == [[req.email]]
        assert owed_pending(subject_id=req.pk, kinds=["sve.aee"]) == []
        entries = list(req.journal.values_list("action", flat=True))
        assert entries.count("document_issued") == 1 and entries.count("email_sent") == 1


def test_pages_say_en_cours_d_envoi_until_issued(tenant_a, form_a, agent_a, client_a):
    with in_tenant(tenant_a):
        req = submit(form_a)
    page = client_a.get(f"/demarches/suivi/{req.access_token}/").content.decode()
    assert 'électronique — <span class="badge badge--warning">en cours d\'envoi' in page
    client_a.login(email=agent_a.email, password=PASSWORD)
    page = client_a.get(f"/demarches/gestion/demandes/{req.pk}/").content.decode()
    assert "en cours d'envoi" in page
    with in_tenant(tenant_a):
        tasks.aee_issue(req.pk)
    page = client_a.get(f"/demarches/gestion/demandes/{req.pk}/").content.decode()
    assert "en cours d'envoi" not in page


def test_implicit_decision_notices_are_owed(tenant_a, form_a, eager_tasks, outbox):
    with in_tenant(tenant_a):
        req = submit(form_a)
        Request.objects.filter(pk=req.pk).update(
            implicit_decision_on=req.received_on - timedelta(days=10)
        )
        assert services.implicit_decisions_run()["accepted"] == 1
        assert Request.objects.get(pk=req.pk).status == Status.IMPLICITLY_ACCEPTED
        row = OwedDocument.objects.get(kind="sve.implicit_notice")
        assert row.subject_id == req.pk and row.issued_at is not None
        assert [m.subject for m in outbox].count(
            f"[{tenant_a.name}] Votre demande est acceptée implicitement — {req.reference}"
        ) == 1
        assert tasks.implicit_notice_issue(req.pk) is False


def test_the_attestation_of_each_acceptance_is_owed_and_sealed_by_the_worker(
    tenant_a, form_a, eager_tasks, outbox
):
    """Issue 26 / CRPA L232-3: the job owes the attestation of each acceptance (not of a
    refusal); the worker makes and seals it, unmailed, once; the tracking page hands it over."""
    from tests.pdf_structure import seal_status

    with in_tenant(tenant_a):
        sva, svr = submit(form_a), submit(form_a)
        Request.objects.filter(pk=svr.pk).update(regime=Regime.SVR)
        Request.objects.filter(pk__in=[sva.pk, svr.pk]).update(
            implicit_decision_on=sva.received_on - timedelta(days=10)
        )
        assert services.implicit_decisions_run() == {"accepted": 1, "rejected": 1}
        row = OwedDocument.objects.get(kind="sve.attestation")
        assert row.subject_id == sva.pk and row.issued_at is not None
        [attestation] = Document.objects.filter(kind=Document.Kind.ATTESTATION)
        assert attestation.request_id == sva.pk
        status = seal_status(bytes(attestation.content))
        assert status.intact and status.valid and status.trusted
        assert not any("Attestation" in m.subject for m in outbox)
        assert tasks.attestation_issue(sva.pk) is False


def test_worker_killed_after_receiving_the_aee_task_then_the_sweep_issues_it_once(
    tenant_a, form_a, monkeypatch
):
    """Issue 8, seen 2: SIGKILL the worker right after it took the AEE task, restart it:
    the task is lost with the worker (acknowledged late, but only redelivered after the
    broker's visibility timeout); the row says the AEE is owed and the sweep queues it
    again: exactly one AEE, one mail."""
    # A queue of its own: no other test's worker may take (and issue) the task.
    queue = default_queue_set(monkeypatch, f"tests-kill-{os.getpid()}-{time.time_ns()}")
    with in_tenant(tenant_a):
        req = submit(form_a)  # committed; its task waits in the queue, no worker yet
    assert queue_length(queue) == 1
    worker = worker_start(queue)
    try:
        deadline = time.monotonic() + 60
        while queue_length(queue):
            assert time.monotonic() < deadline and worker.poll() is None
            time.sleep(0.01)
        os.kill(worker.pid, signal.SIGKILL)  # the worker took the message: kill it
        worker.wait(timeout=10)
        with in_tenant(tenant_a):
            assert not Document.objects.filter(request=req, kind=Document.Kind.AEE).exists()
            assert owed_pending(subject_id=req.pk, kinds=["sve.aee"]) == ["sve.aee"]
        worker = worker_start(queue)
        time.sleep(3)
        with in_tenant(tenant_a):
            # Nothing resends it by itself...
            assert not Document.objects.filter(request=req, kind=Document.Kind.AEE).exists()
            # ... until the sweep.
            assert owed_sweep(older_than=timedelta(0)) == {"requeued": 1}
            deadline = time.monotonic() + 90
            while owed_pending(subject_id=req.pk, kinds=["sve.aee"]):
                assert time.monotonic() < deadline and worker.poll() is None, "AEE not issued"
                time.sleep(0.3)
            assert owed_sweep(older_than=timedelta(0)) == {"requeued": 0}
            assert tasks.aee_issue(req.pk) is False
            assert Document.objects.filter(request=req, kind=Document.Kind.AEE).count() == 1
        assert aee_mails(req) == 1
    finally:
        worker_stop(worker)
        queue_delete(queue)


def test_implicit_notices_owed_in_batches_are_each_issued_once(
    tenant_a, form_a, eager_tasks, outbox, monkeypatch
):
    monkeypatch.setattr("portal.owed.services.BATCH", 2)  # 3 notices: two messages
    with in_tenant(tenant_a):
        reqs = [submit(form_a) for _ in range(3)]
        Request.objects.filter(pk__in=[r.pk for r in reqs]).update(
            implicit_decision_on=reqs[0].received_on - timedelta(days=10)
        )
        assert services.implicit_decisions_run()["accepted"] == 3
        assert not OwedDocument.objects.filter(kind="sve.implicit_notice", issued_at=None).exists()
        subjects = [m.subject for m in outbox]
        for req in reqs:
            notice = f"[{tenant_a.name}] Votre demande est acceptée implicitement — {req.reference}"
            assert subjects.count(notice) == 1


def test_each_request_for_pieces_owes_its_letter_sealed_by_the_worker_once(
    tenant_a, form_a, agent_a, client_a, outbox
):
    """Issue 26: the letter asking for pieces is owed with the request for pieces (not
    rendered in a notice's transaction); the citizen's page says "en cours d'envoi" until
    the worker issued it, sealed, findable by the verification page, mailed once."""
    from datetime import date

    from portal.sealed.models import SealedDocument
    from tests.pdf_structure import seal_status

    track = "/demarches/suivi/{}/"
    due = date.today() + timedelta(days=15)
    with in_tenant(tenant_a):
        req = submit(form_a)
        tasks.aee_issue(req.pk)
        services.request_qualify(request=req, acting_user=agent_a, regime=Regime.SVR)
        tasks.ar_issue(req.pk)
        outbox.clear()
        services.request_ask_pieces(request=req, acting_user=agent_a, items="RIB", due_on=due)
        first = req.piece_requests.get()
        assert owed_pending(subject_id=first.pk, kinds=["sve.pieces"]) == ["sve.pieces"]
    page = client_a.get(track.format(req.access_token)).content.decode()
    assert (
        'Demande de pièces complémentaires — <span class="badge badge--warning">en cours '
        "d'envoi" in page
    )
    with in_tenant(tenant_a):
        assert tasks.pieces_letter_issue(first.pk) is True
        assert tasks.pieces_letter_issue(first.pk) is False
        # A task queued before the letter was owed finds it sent.
        assert tasks.citizen_notify(req.pk, "pieces_requested") is False
    assert "en cours d'envoi" not in client_a.get(track.format(req.access_token)).content.decode()
    [notice] = outbox
    [(filename, content, _)] = notice.attachments
    assert filename == f"demande-de-pieces-{req.reference}-1.pdf"
    status = seal_status(content)
    assert status.intact and status.valid and status.trusted
    sealed = SealedDocument.objects.get(sha256=hashlib.sha256(content).hexdigest())
    assert (sealed.kind, sealed.reference) == ("sve.pieces", req.reference)

    # A second request for pieces, once the first was answered, owes a letter of its own.
    with in_tenant(tenant_a):
        services.request_complete(
            request=req, acting_user=None, token=req.access_token, files={}, comment="Voici"
        )
        services.request_ask_pieces(request=req, acting_user=agent_a, items="Plan", due_on=due)
        second = req.piece_requests.latest("id")
        assert tasks.pieces_letter_issue(second.pk) is True
        notified = req.journal.filter(action="citizen_notified").values_list("payload", flat=True)
        assert sorted(p["ref"] for p in notified) == [first.pk, second.pk]
    assert [a[0] for m in outbox for a in m.attachments] == [
        f"demande-de-pieces-{req.reference}-1.pdf",
        f"demande-de-pieces-{req.reference}-2.pdf",
    ]
