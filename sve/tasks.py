"""Celery tasks of the SVE app: thin, take ids, safe to run twice, run in their tenant."""

from celery import shared_task

from sve import documents
from sve.models import Document, Regime, Request


@shared_task(name="sve.aee_issue")
def aee_issue(request_id: int) -> bool:
    return documents.document_issue(request_id=request_id, kind=Document.Kind.AEE) is not None


@shared_task(name="sve.ar_issue")
def ar_issue(request_id: int) -> bool:
    return documents.document_issue(request_id=request_id, kind=Document.Kind.AR) is not None


@shared_task(name="sve.decision_issue")
def decision_issue(request_id: int) -> bool:
    return documents.document_issue(request_id=request_id, kind=Document.Kind.DECISION) is not None


@shared_task(name="sve.citizen_notify")
def citizen_notify(request_id: int, event: str) -> bool:
    return documents.citizen_notify(request_id=request_id, event=event)


@shared_task(name="sve.implicit_notice_issue")
def implicit_notice_issue(request_id: int) -> bool:
    return documents.implicit_notice_issue(request_id=request_id)


# Kept for tasks queued before implicit notices became owed documents (portal/owed).
@shared_task(name="sve.implicit_notify")
def implicit_notify(request_ids: list[int]) -> int:
    sent = 0
    for pk, regime in Request.objects.filter(pk__in=request_ids).values_list("pk", "regime"):
        event = "implicitly_accepted" if regime == Regime.SVA else "implicitly_rejected"
        sent += documents.citizen_notify(request_id=pk, event=event)
    return sent
