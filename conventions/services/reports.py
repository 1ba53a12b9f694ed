"""The yearly usage report (seed 000 art. 8): per member and year, a PDF with its SVE and
appointment figures, read in the member's own schema by the worker (portal.usage)."""

from datetime import date

from django.db import transaction
from django_tenants.utils import tenant_context

from conventions.models import Convention, Document
from conventions.selectors import BOUND_STATES
from conventions.services.common import ConventionError, locked, record, require_platform_admin
from conventions.services.documents import document_owe
from portal.accounts.models import User
from portal.usage import usage_collect


def usage_figures(*, collectivite, year: int):
    """The tenant apps' figures for ``year``, read inside the member's schema."""
    with tenant_context(collectivite):
        return usage_collect(year)


@transaction.atomic
def usage_report_request(
    *, convention: Convention, year: int, acting_user: User | None
) -> Document:
    """On demand (platform admin) or from the yearly job (acting_user=None): the report is owed,
    then issued once by the worker."""
    require_platform_admin(acting_user)
    convention = locked(convention)
    if not convention.model.usage_report:
        raise ConventionError(
            "Le modèle de cette convention ne prévoit pas de compte rendu annuel."
        )
    if convention.state not in BOUND_STATES or convention.starts_on is None:
        raise ConventionError("Cette convention n'a pas été en vigueur.")
    if convention.starts_on.year > year or year > date.today().year:
        raise ConventionError(f"La convention n'était pas en vigueur en {year}.")
    document = document_owe(convention=convention, kind=Document.Kind.USAGE_REPORT, year=year)
    record(convention, "usage_report_requested", acting_user=acting_user, year=year)
    return document


def usage_reports_yearly(*, year: int) -> int:
    """Owe the report of ``year`` for every convention of a model that asks for one and was
    in force that year (idempotent: one report per convention and year)."""
    from conventions.selectors import conventions_billable

    count = 0
    for convention in conventions_billable(year=year):
        if not convention.model.usage_report:
            continue
        if Document.objects.filter(
            convention=convention, kind=Document.Kind.USAGE_REPORT, year=year
        ).exists():
            continue
        usage_report_request(convention=convention, year=year, acting_user=None)
        count += 1
    return count
