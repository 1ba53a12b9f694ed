from django.db.models import Count, Q, QuerySet

from portal.outbox.models import OutboxMessage


def outbox_list(*, search: str = "") -> QuerySet[OutboxMessage]:
    messages = OutboxMessage.objects.annotate(attachment_count=Count("attachments")).order_by(
        "-created_at", "-id"
    )
    if search:
        messages = messages.filter(Q(subject__icontains=search) | Q(to__icontains=search))
    return messages
