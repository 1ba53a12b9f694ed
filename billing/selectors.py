"""Reads of billing."""

from datetime import date

from django.db.models import (
    BooleanField,
    Exists,
    ExpressionWrapper,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce

from billing.models import Campaign, Issuer, Payment, ServiceUsage, Tariff, Titre
from conventions.models import Convention
from conventions.selectors import conventions_billable
from tenants.models import Collectivite


def _paid_subquery():
    return Coalesce(
        Subquery(
            Payment.objects.filter(titre=OuterRef("pk"))
            .values("titre")
            .annotate(total=Sum("amount_cents"))
            .values("total"),
            output_field=IntegerField(),
        ),
        Value(0),
    )


def titre_balance_cents(titre: Titre) -> int:
    """What is still owed on a titre: nothing once cancelled, else TTC less payments."""
    if titre.kind != Titre.Kind.TITRE or titre.status == Titre.Status.CANCELLED:
        return 0
    paid = titre.payments.aggregate(total=Sum("amount_cents"))["total"] or 0
    return titre.total_ttc_cents - paid


def titres_list(
    *,
    year: int | None = None,
    status: str = "",
    collectivite_id: int | None = None,
    campaign_id: int | None = None,
) -> QuerySet[Titre]:
    """Titres with ``paid_cents`` annotated (one query, whatever the number)."""
    qs = (
        Titre.objects.select_related("collectivite", "convention__model")
        .defer("pdf")
        .annotate(paid_cents=_paid_subquery())
        .order_by("-year", "-number")
    )
    if year:
        qs = qs.filter(year=year)
    if status:
        qs = qs.filter(status=status)
    if collectivite_id:
        qs = qs.filter(collectivite_id=collectivite_id)
    if campaign_id:
        qs = qs.filter(campaign_id=campaign_id)
    return qs


def titres_overdue(*, today: date) -> QuerySet[Titre]:
    """Titres whose due date has passed with a balance left (cancelled ones excluded)."""
    from django.db.models import F

    return (
        titres_list()
        .filter(kind=Titre.Kind.TITRE, due_on__lt=today)
        .exclude(status=Titre.Status.CANCELLED)
        .filter(paid_cents__lt=F("total_ttc_cents"))
        .order_by("due_on", "number")
    )


def campaigns_list() -> QuerySet[Campaign]:
    return Campaign.objects.prefetch_related("convention_models").order_by("-year", "-pk")


def campaigns_with_titres() -> QuerySet[Campaign]:
    """Campaigns that issued titres (their PES file can be produced)."""
    return (
        campaigns_list()
        .filter(Exists(Titre.objects.filter(campaign=OuterRef("pk"))))
        .annotate(
            pdf_missing=Exists(Titre.objects.filter(campaign=OuterRef("pk"), pdf__isnull=True))
        )
    )


def campaign_delivered(*, campaign: Campaign) -> int:
    """Titres of the campaign whose PDF is stored and e-mail sent."""
    return Titre.objects.filter(campaign=campaign, mail_owed=False, pdf__isnull=False).count()


def tariffs_list() -> QuerySet[Tariff]:
    return (
        Tariff.objects.select_related("model")
        .prefetch_related("lines")
        .order_by("-year", "model__name")
    )


def year_has_titres(*, year: int, model_ids: list[int]) -> bool:
    return Titre.objects.filter(year=year, convention__model_id__in=model_ids).exists()


def conventions_without_titre(*, year: int, pricing: str):
    """Conventions of a pricing billable in ``year`` that have no titre yet (the reminder)."""
    billable = [c for c in conventions_billable(year=year) if c.model.pricing == pricing]
    billed = set(
        Titre.objects.filter(year=year, convention__in=billable, kind=Titre.Kind.TITRE).values_list(
            "convention_id", flat=True
        )
    )
    return [c for c in billable if c.pk not in billed]


def convention_year_billed(*, convention, year: int) -> bool:
    """Whether the member's titre for this convention and year is issued and in force."""
    return (
        Titre.objects.filter(convention=convention, year=year, kind=Titre.Kind.TITRE)
        .exclude(status=Titre.Status.CANCELLED)
        .exists()
    )


def payments_list() -> QuerySet[Payment]:
    return Payment.objects.select_related("titre__collectivite").order_by("-paid_on", "-pk")


def issuer_problems(issuer: Issuer | None) -> list[str]:
    """What keeps a titre from carrying its mentions (CGCT L1617-5: who issues it and the
    appeal routes; the accountant's payment details): a French message per missing field."""
    if issuer is None:
        return [
            "L'ordonnateur n'est pas renseigné (nom, SIRET, signataire, comptable public) :"
            " aucun titre ne peut être émis. Renseignez-le dans « Ordonnateur »."
        ]
    missing = [
        str(field.verbose_name)
        for field in Issuer._meta.fields
        if field.name != "id"
        and not field.blank
        and not isinstance(field, BooleanField)
        and getattr(issuer, field.name) in ("", None)
    ]
    if not missing:
        return []
    return [f"Ordonnateur incomplet, à renseigner avant d'émettre : {', '.join(missing)}."]


# CGCT L1617-5 2° and CJA R421-5: the two-month delay to contest runs only if the titre
# names the competent court; a participation a commune owes under an agreement between
# public bodies is a public-law debt, contested before the tribunal administratif.
COURT_WARNING = (
    "La juridiction indiquée est un tribunal judiciaire. Une participation due par une"
    " commune au titre d'une convention entre personnes publiques est une créance de droit"
    " public : elle se conteste devant le tribunal administratif (CGCT L1617-5 2°). Un titre"
    " qui désigne une autre juridiction ne fait pas courir le délai de deux mois"
    " (CJA R421-5)."
)


def court_warnings(court: str) -> list[str]:
    """A warning when the titres would name a judicial court for a public-law debt."""
    return [COURT_WARNING] if "judiciaire" in (court or "").lower() else []


def issuer_current() -> Issuer | None:
    return Issuer.objects.order_by("pk").first()


def members_list(*, name: str = "") -> QuerySet:
    """Members bound by an agreement that issues titres, with their billing profile (one
    query, whatever the number)."""
    from billing.liquidation import BILLED

    qs = (
        Collectivite.objects.filter(conventions__model__pricing__in=BILLED)
        .distinct()
        .select_related("billing_profile")
        .order_by("name", "pk")
    )
    if name:
        qs = qs.filter(name__icontains=name)
    return qs


def member_conventions(*, collectivite) -> list:
    """The member's agreements that issue titres, with their package choice and the
    complementary services recorded (latest first): three queries."""
    from billing.liquidation import BILLED

    return list(
        Convention.objects.filter(collectivite=collectivite, model__pricing__in=BILLED)
        .select_related("model", "billing_package")
        .prefetch_related(
            Prefetch(
                "service_usages",
                queryset=ServiceUsage.objects.order_by("-used_on", "-pk"),
                to_attr="usages",
            )
        )
        .order_by("-starts_on", "-pk")
    )


def corrections_list() -> QuerySet[Titre]:
    """Cancellation titres (latest first), each with the titre it cancels and, through
    ``pes_ready``, whether the PDFs its PES file attaches are all stored."""
    new_ready = Titre.objects.filter(
        replaces=OuterRef("corrects_id"), kind=Titre.Kind.TITRE, pdf__isnull=False
    )
    return (
        Titre.objects.filter(kind=Titre.Kind.ANNULATION)
        .select_related("collectivite", "corrects")
        .defer("pdf", "corrects__pdf")
        .annotate(
            pes_ready=ExpressionWrapper(
                Q(pdf__isnull=False) & Q(Exists(new_ready)), output_field=BooleanField()
            )
        )
        .order_by("-year", "-number")
    )


def correction_titres(*, annulation: Titre) -> list[Titre]:
    """What the PES file of one correction carries: the cancellation and the new titre
    issued with it (lines and referred titres loaded)."""
    return list(
        Titre.objects.filter(
            Q(pk=annulation.pk) | Q(replaces_id=annulation.corrects_id, kind=Titre.Kind.TITRE)
        )
        .select_related("corrects", "replaces")
        .prefetch_related("lines")
        .order_by("number")
    )


def billed_years(*, conventions) -> set[tuple[int, int]]:
    """(convention id, year) of the titres issued and in force for these conventions."""
    return set(
        Titre.objects.filter(convention__in=conventions, kind=Titre.Kind.TITRE)
        .exclude(status=Titre.Status.CANCELLED)
        .values_list("convention_id", "year")
    )
