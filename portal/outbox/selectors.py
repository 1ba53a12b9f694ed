from django.db.models import Count, Q, QuerySet

from portal.outbox.models import OutboxMessage


def outbox_list(*, search: str = "") -> QuerySet[OutboxMessage]:
    messages = OutboxMessage.objects.annotate(attachment_count=Count("attachments")).order_by(
        "-created_at", "-id"
    )
    if search:
        messages = messages.filter(Q(subject__icontains=search) | Q(to__icontains=search))
    return messages


def space_names(schema_names) -> dict[str, str]:
    """The collectivité's name for each schema (one query): pages show "Briançon", not
    "c_briancon". The tenant model comes from settings: portal imports no app."""
    from django_tenants.utils import get_tenant_model

    names = set(schema_names)
    return dict(
        get_tenant_model().objects.filter(schema_name__in=names).values_list("schema_name", "name")
    )
