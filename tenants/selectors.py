import base64
import csv
import io
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Case, Count, IntegerField, Prefetch, Q, QuerySet, Value, When

from portal import dataversion
from portal.accounts.models import User
from portal.catalogue import application_catalogue, applications_for
from portal.exports import spreadsheet_cell
from portal.links import host_origin
from portal.text import search_key
from tenants.models import (
    AccountActivity,
    Collectivite,
    CollectiviteEvent,
    CollectiviteLogo,
    CommuneReference,
    Domain,
    Membership,
)
from tenants.theming import theme_palette


def commune_reference_search(*, query: str, limit: int = 10) -> list[CommuneReference]:
    """Type-ahead over the reference list: by INSEE code (prefix) or by name, accents, case
    and hyphens ignored; names starting with the query first."""
    query = (query or "").strip()
    if not query:
        return []
    if query[:2].isdigit() or query[:2].upper() in ("2A", "2B"):
        return list(
            CommuneReference.objects.filter(insee_code__startswith=query.upper()).order_by(
                "insee_code"
            )[:limit]
        )
    key = search_key(query)
    if len(key) < 2:
        return []
    return list(
        CommuneReference.objects.filter(search_name__contains=key)
        .annotate(
            rank=Case(
                When(search_name=key, then=Value(0)),
                When(search_name__startswith=key, then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            )
        )
        .order_by("rank", "search_name", "insee_code")[:limit]
    )


def onboarded_insee_codes(codes: list[str]) -> dict[str, str]:
    """INSEE code -> slug of the communes among ``codes`` already on the platform."""
    return dict(
        Collectivite.objects.filter(
            insee_code__in=codes, kind=Collectivite.Kind.COMMUNE
        ).values_list("insee_code", "slug")
    )


def collectivite_dashboard_list(
    *, search: str = "", status: str = "", service: str = "", departement: str = ""
) -> QuerySet[Collectivite]:
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
        .order_by("name")
    )
    search = (search or "").strip()
    if search:
        members = members.filter(
            Q(name__icontains=search)
            | Q(insee_code__startswith=search)
            | Q(slug__icontains=search_key(search).replace(" ", "-"))
        )
    if status:
        members = members.filter(status=status)
    if service:
        members = members.filter(services__contains=[service])
    if departement:
        members = members.filter(insee_code__startswith=departement)
    return members


def account_collectivites(*, user: User, service: str, field: str) -> list[Collectivite]:
    """The active members using ``service`` where ``user`` has something (``field`` of
    AccountActivity: "requests" or "appointments"), domains prefetched: the only schemas a
    page serving this one person reads (issue 14). Two queries, whatever the membership."""
    if field not in ("requests", "appointments"):
        raise ValueError(f"Unknown activity {field!r}")
    activities = AccountActivity.objects.filter(user=user, **{f"{field}__gt": 0})
    return list(
        Collectivite.objects.active()
        .filter(services__contains=[service], pk__in=activities.values("collectivite_id"))
        .prefetch_related(
            Prefetch("domains", queryset=Domain.objects.order_by("-is_primary", "domain"))
        )
        .order_by("name")
    )


def collectivite_directory() -> QuerySet[Collectivite]:
    """The active members in name order, primary domain first: the operator's home."""
    return (
        Collectivite.objects.active()
        .only("id", "name", "schema_name", "slug")
        .prefetch_related(
            Prefetch("domains", queryset=Domain.objects.order_by("-is_primary", "domain"))
        )
        .order_by("name", "id")
    )


def collectivite_site_url(*, collectivite: Collectivite) -> str:
    """The member's site ("https://host/"), from its domains as prefetched by
    account_collectivites (primary first): no query."""
    domains = list(collectivite.domains.all())
    host = domains[0].domain if domains else settings.PORTAL_BASE_DOMAIN
    return host_origin(host) + "/"


def collectivite_staff(*, collectivite: Collectivite) -> QuerySet[User]:
    """The accounts with an active membership (agent or admin) in a collectivité: whom
    requests are assigned to and whose agendas are kept."""
    return User.objects.filter(
        memberships__collectivite=collectivite, memberships__is_active=True
    ).order_by("last_name", "first_name", "email")


@dataclass(frozen=True)
class StaffMember:
    """What lists of agents show (filters, assignment): no more of the account."""

    pk: int
    label: str


def collectivite_staff_labels(*, collectivite: Collectivite) -> list[StaffMember]:
    """The active staff's ids and names, kept in the shared cache under the public schema's
    data version (portal/dataversion.py: accounts and memberships raise it): a rename or a
    membership granted or ended, by any path, shows at once."""
    return dataversion.cached(
        "staff",
        lambda: [
            StaffMember(pk=u.pk, label=u.get_full_name() or u.email)
            for u in collectivite_staff(collectivite=collectivite).only(
                "id", "first_name", "last_name", "email"
            )
        ],
        variant=str(collectivite.pk),
        public=True,
    )


def collectivite_history(*, collectivite: Collectivite) -> QuerySet[CollectiviteEvent]:
    return CollectiviteEvent.objects.filter(collectivite=collectivite).select_related("actor")


def tenant_memberships(*, collectivite: Collectivite) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(collectivite=collectivite)
        .select_related("user")
        .order_by("-is_active", "-role", "user__last_name", "user__email")
    )


# OWASP "CSV injection": a cell starting with one of these is read as a formula.


CSV_HEADER = [
    "Collectivité",
    "Code INSEE",
    "SIREN",
    "Population municipale",
    "Population totale",
    "Millésime",
    "Statut",
    "Applications",
    "Référents",
    "Agents actifs",
    "Raccordée le",
    "Site",
]


def collectivite_dashboard_csv(collectivites) -> str:
    """The dashboard as CSV (semicolon-separated, as French spreadsheets expect), each cell
    neutralised against formula injection."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(CSV_HEADER)
    catalogue = application_catalogue()
    for c in collectivites:
        domains = list(c.domains.all())
        writer.writerow(
            [
                spreadsheet_cell(value)
                for value in (
                    c.name,
                    c.insee_code,
                    c.siren,
                    c.population_municipale,
                    c.population_totale,
                    c.population_year,
                    c.get_status_display(),
                    ", ".join(
                        app.label for app in applications_for(c.services, catalogue=catalogue)
                    ),
                    ", ".join(m.user.email for m in c.admin_memberships),
                    c.agent_count,
                    c.created_at.strftime("%d/%m/%Y"),
                    domains[0].domain if domains else "",
                )
            ]
        )
    return out.getvalue()


def collectivite_active_schemas() -> list[str]:
    """Schemas of the active members (portal.jobs fans tenant jobs out to them)."""
    return list(Collectivite.objects.active().values_list("schema_name", flat=True))


# The portal's own colour when a commune has none (static/portal/portal.css --primary).
DEFAULT_PRIMARY = "#1d4e89"


@dataclass(frozen=True)
class Letterhead:
    name: str
    color: str  # readable on white (theme_palette's primary-text)
    tint: str
    logo_data_uri: str  # "" without a logo


def collectivite_letterhead(*, collectivite: Collectivite) -> Letterhead:
    """The commune's identity for its PDF letters (name, colour, logo inlined so that
    WeasyPrint needs no request): the same as its web pages, no State brand."""
    palette = theme_palette(collectivite.primary_color or DEFAULT_PRIMARY)
    logo_uri = ""
    if collectivite.logo_version:
        logo = CollectiviteLogo.objects.filter(collectivite=collectivite).first()
        if logo is not None:
            encoded = base64.b64encode(bytes(logo.content)).decode()
            logo_uri = f"data:{logo.content_type};base64,{encoded}"
    return Letterhead(
        name=collectivite.name,
        color=palette["primary-text"],
        tint=palette["primary-tint"],
        logo_data_uri=logo_uri,
    )
