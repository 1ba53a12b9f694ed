"""What portal.permissions asks the tenants app (settings.PORTAL_MEMBERSHIP_LOOKUP and
PORTAL_BACKOFFICE_BLOCKED): who is a member, and whether the back office is blocked."""

from django.shortcuts import render

from tenants.models import Collectivite, Membership


def membership_for(user, collectivite: Collectivite) -> Membership | None:
    """The active membership of ``user`` in ``collectivite``, or None."""
    if not user.is_authenticated or not user.is_active:
        return None
    return Membership.objects.filter(user=user, collectivite=collectivite, is_active=True).first()


def backoffice_blocked(request):
    """The suspension page (seed 000 art. 13: with its reason) when the commune is suspended."""
    tenant = request.tenant
    if tenant.status == Collectivite.Status.SUSPENDED:
        return render(request, "tenants/suspended.html", {"collectivite": tenant}, status=403)
    return None
