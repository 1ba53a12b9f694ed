"""Billing's blocks: finance staff's entry on the operator's home, "Factures" in the
commune admin's back office."""

from django.utils import timezone

from billing.terms import campaign_deadline
from portal.sections import Section


def operator_section(request) -> Section | None:
    user = request.user
    if not (user.is_authenticated and (user.is_finance or user.is_platform_admin)):
        return None
    return Section(
        title="Facturation",
        template="billing/_operator_section.html",
        context={"deadline": campaign_deadline(timezone.localdate().year)},
        order=30,
    )


def backoffice_section(request) -> Section | None:
    membership = getattr(request, "membership", None)
    if not (membership and membership.is_admin):
        return None
    return Section(title="Factures", template="billing/_backoffice_section.html", order=95)
