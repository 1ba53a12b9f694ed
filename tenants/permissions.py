"""What portal.permissions asks the tenants app (settings.PORTAL_MEMBERSHIP_LOOKUP): who
is a member. A suspended commune's back office is gated by tenants.middleware."""

from portal import dataversion
from tenants.models import Collectivite, Membership


def membership_for(user, collectivite: Collectivite) -> Membership | None:
    """The active membership of ``user`` in ``collectivite``, or None."""
    if not user.is_authenticated or not user.is_active:
        return None

    def read() -> Membership | None:
        return Membership.objects.filter(
            user=user, collectivite=collectivite, is_active=True
        ).first()

    # The public schema's version, read with the host's lookup for this request.
    version = dataversion.read_for_request(public=True)
    if version is None:
        return read()
    return dataversion.local_cached(("membership", user.pk, collectivite.pk), version, read)
