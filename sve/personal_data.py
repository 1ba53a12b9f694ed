"""SVE's part of a person's data (portal.personal_data)."""

from sve.models import Message, Request


def collect(user) -> dict[str, list[dict]]:
    requests = list(
        Request.objects.filter(user=user)
        .select_related("form")
        .order_by("created_at")
        .values(
            "reference",
            "status",
            "form_version__title",
            "first_name",
            "last_name",
            "email",
            "postal_address",
            "data",
            "received_at",
            "decided_at",
            "created_at",
        )
    )
    messages = list(
        Message.objects.filter(request__user=user, internal=False)
        .order_by("created_at")
        .values("request__reference", "from_agent", "body", "created_at")
    )
    return {"demarches": requests, "messages": messages}


def detach(user) -> int:
    # CRPA / archives: a filed request stays with the commune; only the account link goes.
    changed = Request.objects.filter(user=user).update(user=None)
    return changed + Message.objects.filter(author=user).update(author=None)
