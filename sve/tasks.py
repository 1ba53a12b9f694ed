"""Celery tasks of the SVE app: thin, take ids, safe to run twice, run in their tenant."""

from celery import shared_task

from sve import documents
from sve.models import Document, PieceRequest, Regime, Request


@shared_task(name="sve.aee_issue")
def aee_issue(request_id: int) -> bool:
    return documents.document_issue(request_id=request_id, kind=Document.Kind.AEE) is not None


@shared_task(name="sve.ar_issue")
def ar_issue(request_id: int) -> bool:
    return documents.document_issue(request_id=request_id, kind=Document.Kind.AR) is not None


@shared_task(name="sve.decision_issue")
def decision_issue(request_id: int) -> bool:
    return documents.document_issue(request_id=request_id, kind=Document.Kind.DECISION) is not None


@shared_task(name="sve.attestation_issue")
def attestation_issue(request_id: int) -> bool:
    kind = Document.Kind.ATTESTATION
    return documents.document_issue(request_id=request_id, kind=kind, send=False) is not None


@shared_task(name="sve.citizen_notify")
def citizen_notify(request_id: int, event: str) -> bool:
    if event == "pieces_requested":  # queued before the letter became owed (portal/owed)
        latest = PieceRequest.objects.filter(request_id=request_id).order_by("-id").first()
        return latest is not None and documents.pieces_letter_issue(piece_request_id=latest.pk)
    return documents.citizen_notify(request_id=request_id, event=event)


@shared_task(name="sve.pieces_letter_issue")
def pieces_letter_issue(piece_request_id: int) -> bool:
    return documents.pieces_letter_issue(piece_request_id=piece_request_id)


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


@shared_task(name="sve.draft_resume_send")
def draft_resume_send(request_id: int) -> bool:
    return documents.draft_resume_send(request_id=request_id)
