from celery import shared_task

from conventions.services.documents import document_issue as _document_issue


@shared_task(name="conventions.document_issue")
def document_issue(document_id: int) -> bool:
    """Render an owed convention document once (public schema)."""
    return _document_issue(document_id=document_id)
