"""Conventions' blocks: what to handle this month on the operator's home, and the
commune admin's agreements in its back office."""

from django.utils import timezone

from conventions import selectors
from portal.sections import Section


def operator_section(request) -> Section | None:
    if not request.user.is_platform_admin:  # conventions are platform admins' work
        return None
    return Section(
        title="Conventions",
        template="conventions/_operator_section.html",
        context={"to_handle": selectors.conventions_to_handle(today=timezone.localdate())[:10]},
        order=20,
    )


def backoffice_section(request) -> Section | None:
    membership = getattr(request, "membership", None)
    if not (membership and membership.is_admin):
        return None
    return Section(
        title="Conventions",
        template="conventions/_backoffice_section.html",
        context={
            "conventions": list(
                selectors.conventions_list(collectivite_id=request.tenant.pk).exclude(state="draft")
            ),
            # Issue 9 §5: the member's back office says why an application stopped.
            "stopped": selectors.collectivite_stopped_applications(
                collectivite_id=request.tenant.pk, day=timezone.localdate()
            ),
        },
        order=90,
    )
