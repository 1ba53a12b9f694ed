"""What portal.permissions asks the tenants app (settings.PORTAL_MEMBERSHIP_LOOKUP): who
is a member. A suspended commune's back office is gated by tenants.middleware."""

from tenants.models import Collectivite, Membership


def membership_for(user, collectivite: Collectivite) -> Membership | None:
    """The active membership of ``user`` in ``collectivite``, or None."""
    if not user.is_authenticated or not user.is_active:
        return None
    return Membership.objects.filter(user=user, collectivite=collectivite, is_active=True).first()
