"""Worker side of the support desk (public schema): owed e-mails, the hourly reminders and
the closing of requests left waiting. Every task is safe to run twice."""

from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from support import notices, services
from support.models import SupportNotice

# An owed notice still unsent after this long is queued again by the sweep (its first task
# was lost with the broker or the worker).
SWEEP_AFTER = timedelta(minutes=5)


@shared_task(name="support.notice_send")
def notice_send(notice_id: int) -> bool:
    return notices.notice_send(notice_id=notice_id)


@shared_task(name="support.tick")
def tick() -> dict:
    """Every few minutes: reminders one hour before due times, idle requests closed, and
    owed notices queued again."""
    reminders = services.support_due_reminders()
    closed = services.support_close_idle()
    stale = SupportNotice.objects.filter(
        sent_at__isnull=True, created_at__lt=timezone.now() - SWEEP_AFTER
    ).values_list("pk", flat=True)
    for notice_id in stale:
        notice_send.delay(notice_id)
    return {"reminders": reminders, "closed": closed, "requeued": len(stale)}
