from django.db.models import Count, QuerySet

from portal.outbox.models import OutboxMessage


def outbox_list(*, search: str = "") -> QuerySet[OutboxMessage]:
    messages = OutboxMessage.objects.annotate(attachment_count=Count("attachments"))
    if search:
        messages = messages.filter(subject__icontains=search) | messages.filter(
            to__icontains=search
        )
    return messages
