"""Worker side of the support desk (public schema): owed e-mails, the hourly reminders and
the closing of requests left waiting. Every task is safe to run twice. Owed e-mails whose
task was lost are queued again by portal.owed's public sweep (``owed.sweep_public``)."""

from celery import shared_task

from support import notices, services


@shared_task(name="support.notice_send")
def notice_send(notice_id: int) -> bool:
    return notices.notice_send(notice_id=notice_id)


@shared_task(name="support.tick")
def tick() -> dict:
    """Every few minutes: reminders one hour before due times, idle requests closed."""
    reminders = services.support_due_reminders()
    closed = services.support_close_idle()
    return {"reminders": reminders, "closed": closed}
