"""A real Celery worker issues the owed PDFs after commit: the agreement when sent, and the
yearly usage report with figures read in the member's own schema; the public daily job runs
in the public schema through jobs.run_public."""

import io
import time
from datetime import date

import pytest
from pypdf import PdfReader

from conventions import services
from conventions.models import Document
from portal.jobs.models import JobRun
from portal.jobs.tasks import run_public_job

pytestmark = pytest.mark.django_db(transaction=True)


def _issued(document: Document, worker_process) -> Document:
    deadline = time.monotonic() + 90
    while True:
        document.refresh_from_db()
        if document.issued_at is not None:
            return document
        assert time.monotonic() < deadline, "the worker did not issue the document"
        assert worker_process.poll() is None, "the worker died"
        time.sleep(0.3)


def _text(document: Document) -> str:
    reader = PdfReader(io.BytesIO(bytes(document.content)))
    return " ".join(page.extract_text() for page in reader.pages)


def test_the_agreement_pdf_is_issued_once_by_the_worker(
    worker_process, catalogue, tenant_a, platform_admin
):
    convention = services.convention_create(
        model=catalogue["000"],
        collectivite=tenant_a,
        acting_user=platform_admin,
        member_signatory="Marie Dupont",
        member_signatory_title="Maire",
    )
    services.convention_send(convention=convention, acting_user=platform_admin)
    document = _issued(convention.documents.get(kind="agreement"), worker_process)
    text = _text(document)
    assert "Commune A" in text and "Marie Dupont" in text
    assert "tacite reconduction" in text and "3 mois avant la date anniversaire" in text
    # Issuing again (a second delivery) changes nothing.
    assert services.document_issue(document_id=document.pk) is False


def test_the_usage_report_reads_the_member_schema_in_the_worker(
    worker_process, catalogue, tenant_a, platform_admin
):
    convention = services.convention_create(
        model=catalogue["000"], collectivite=tenant_a, acting_user=platform_admin
    )
    services.convention_sign(
        convention=convention,
        signed_on=date(2025, 3, 10),
        acting_user=platform_admin,
        today=date(2025, 3, 10),
    )
    document = services.usage_report_request(
        convention=convention, year=2025, acting_user=platform_admin
    )
    text = _text(_issued(document, worker_process))
    assert "Compte rendu annuel d'utilisation 2025" in text
    assert "Demandes reçues" in text and "Rendez-vous pris" in text


def test_the_daily_job_runs_in_the_public_schema(worker_process, catalogue):
    result = run_public_job.delay(job="conventions.daily").get(timeout=60)
    run = JobRun.objects.get(pk=result["run_id"])
    assert (run.job, run.status) == ("conventions.daily", JobRun.Status.DONE)
    assert set(run.result) >= {"renewed", "reminders", "ended"}


def test_a_worker_killed_after_taking_the_reminders_sends_each_once(
    catalogue, tenant_a, platform_admin, monkeypatch
):
    """The daily job owes two reminders; the worker that took their tasks is SIGKILLed; the
    sweep queues what is still owed and a new worker mails each reminder exactly once."""
    from conventions.models import Reminder
    from portal.outbox.models import OutboxMessage
    from tests.killing import killed_then_swept, own_queue, queue_length

    convention = services.convention_create(
        model=catalogue["000"], collectivite=tenant_a, acting_user=platform_admin
    )
    services.convention_sign(
        convention=convention,
        signed_on=date(2025, 3, 10),
        acting_user=platform_admin,
        today=date(2025, 3, 10),
    )
    queue = own_queue(monkeypatch)
    assert services.conventions_daily(today=date(2025, 11, 10))["reminders"] == 2
    assert queue_length(queue) == 2
    killed_then_swept(queue, kind=Reminder.OWED_KIND)
    mails = OutboxMessage.objects.filter(subject__contains=convention.reference)
    assert sorted(mails.values_list("body", flat=True)) == sorted(
        convention.reminders.values_list("text", flat=True)
    )
