"""Reads of conventions (billing reads ``conventions_billable``)."""

from datetime import date

from django.db.models import Prefetch, Q, QuerySet

from conventions.models import Application, Convention, ConventionApplication

# States of a convention that was in force at some point (and may be billed for it).
BOUND_STATES = (
    Convention.State.ACTIVE,
    Convention.State.SUSPENDED,
    Convention.State.TERMINATED,
    Convention.State.EXPIRED,
)


def _covering(first: date, last: date) -> Q:
    return (
        Q(applies_from__isnull=False)
        & Q(applies_from__lte=last)
        & (Q(applies_to__isnull=True) | Q(applies_to__gte=first))
    )


def conventions_billable(*, year: int, model_ids: list[int] | None = None) -> list[Convention]:
    """The conventions in force during ``year`` (at least one day of it), with their
    collectivité and model, and ``applications_in_year``: the applications covered on at
    least one day of that year (catalogue order). Three queries, whatever the number."""
    first, last = date(year, 1, 1), date(year, 12, 31)
    conventions = (
        Convention.objects.filter(state__in=BOUND_STATES, starts_on__isnull=False)
        .filter(starts_on__lte=last)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=first))
        .select_related("collectivite", "model")
        .prefetch_related(
            Prefetch(
                "coverages",
                queryset=ConventionApplication.objects.filter(_covering(first, last))
                .select_related("application")
                .order_by("application__position", "application__code", "applies_from"),
                to_attr="coverages_in_year",
            )
        )
        .order_by("collectivite__name", "pk")
    )
    if model_ids is not None:
        conventions = conventions.filter(model_id__in=model_ids)
    result = list(conventions)
    for convention in result:
        seen: dict[int, Application] = {}
        for coverage in convention.coverages_in_year:
            seen.setdefault(coverage.application_id, coverage.application)
        convention.applications_in_year = list(seen.values())
    return result


def convention_applications_on(*, convention: Convention, day: date) -> list[Application]:
    """The applications a convention covers on ``day``."""
    return [
        c.application
        for c in convention.coverages.filter(_covering(day, day)).select_related("application")
    ]


def collectivite_services_on(*, collectivite_id: int, day: date) -> list[str]:
    """Codes of the applications covered on ``day`` by the member's conventions in force
    (a member uses what its agreements in force cover)."""
    return list(
        ConventionApplication.objects.filter(
            _covering(day, day),
            convention__collectivite_id=collectivite_id,
            convention__state__in=Convention.IN_FORCE,
        )
        .order_by("application__position", "application__code")
        .values_list("application__code", flat=True)
        .distinct()
    )


def conventions_list(
    *,
    state: str = "",
    model_id: int | None = None,
    application: str = "",
    collectivite_id: int | None = None,
) -> QuerySet[Convention]:
    qs = Convention.objects.select_related("collectivite", "model").order_by(
        "collectivite__name", "-pk"
    )
    if state:
        qs = qs.filter(state=state)
    if model_id:
        qs = qs.filter(model_id=model_id)
    if application:
        qs = qs.filter(coverages__application__code=application).distinct()
    if collectivite_id:
        qs = qs.filter(collectivite_id=collectivite_id)
    return qs
