from django.db.models import Count, Prefetch, Q, QuerySet

from tenants.models import Collectivite, Domain, Membership


def collectivite_dashboard_list(*, search: str = "", status: str = "") -> QuerySet[Collectivite]:
    """Member collectivités for the operator's dashboard, with domains and référents, in a
    fixed number of queries."""
    members = (
        Collectivite.objects.members()
        .annotate(agent_count=Count("memberships", filter=Q(memberships__is_active=True)))
        .prefetch_related(
            Prefetch("domains", queryset=Domain.objects.order_by("-is_primary", "domain")),
            Prefetch(
                "memberships",
                queryset=Membership.objects.filter(
                    role=Membership.Role.ADMIN, is_active=True
                ).select_related("user"),
                to_attr="admin_memberships",
            ),
        )
    )
    if search:
        members = members.filter(Q(name__icontains=search) | Q(insee_code__startswith=search))
    if status:
        members = members.filter(status=status)
    return members
