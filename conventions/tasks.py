from celery import shared_task

from conventions.services.daily import reminder_send as _reminder_send
from conventions.services.documents import document_issue as _document_issue


@shared_task(name="conventions.document_issue")
def document_issue(document_id: int) -> bool:
    """Render an owed convention document once (public schema)."""
    return _document_issue(document_id=document_id)


@shared_task(name="conventions.reminder_send")
def reminder_send(reminder_id: int) -> bool:
    """Mail an owed reminder once (public schema)."""
    return _reminder_send(reminder_id=reminder_id)
