from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from portal.outbox.models import OutboxMessage


@shared_task(name="outbox.purge")
def outbox_purge() -> int:
    """Delete stored e-mails past their retention period (personal data, GDPR)."""
    cutoff = timezone.now() - timedelta(days=settings.OUTBOX_RETENTION_DAYS)
    deleted, _ = OutboxMessage.objects.filter(created_at__lt=cutoff).delete()
    return deleted
