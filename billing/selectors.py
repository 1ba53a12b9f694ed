"""Reads of billing."""

from datetime import date

from django.db.models import IntegerField, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from billing.models import Campaign, Payment, Tariff, Titre


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
    from conventions.selectors import conventions_billable

    billable = [c for c in conventions_billable(year=year) if c.model.pricing == pricing]
    billed = set(
        Titre.objects.filter(year=year, convention__in=billable, kind=Titre.Kind.TITRE).values_list(
            "convention_id", flat=True
        )
    )
    return [c for c in billable if c.pk not in billed]


def payments_list() -> QuerySet[Payment]:
    return Payment.objects.select_related("titre__collectivite").order_by("-paid_on", "-pk")
