"""The application catalogue (the ``Application`` table), read by tenants (through
``portal.catalogue``, where this module is registered), billing and support.

Codes are what ``Collectivite.services`` stores. Pages that list many members read the
catalogue once (``application_catalogue``) and pass it to ``applications_for``.
"""

from dataclasses import dataclass

from conventions.models import Application
from portal.catalogue import CITIZEN_CATALOGUE_CACHE
from portal.tenant_cache import tenant_cache_forget, tenant_cached


def application_catalogue() -> list[Application]:
    return list(Application.objects.all())


def application_choices() -> list[tuple[str, str]]:
    return [(app.code, app.label) for app in Application.objects.only("code", "label")]


def application_get(code: str) -> Application | None:
    return Application.objects.filter(code=code).first()


def default_service_codes() -> list[str]:
    """What a member onboarded before any convention uses (seed 000: SVE and appointments)."""
    return list(Application.objects.filter(is_default=True).values_list("code", flat=True))


def applications_for(
    codes: list[str] | tuple[str, ...], *, catalogue: list[Application] | None = None
) -> list[Application]:
    """The catalogue entries of ``codes``, in catalogue order (unknown codes skipped)."""
    wanted = set(codes)
    if catalogue is None:
        return list(Application.objects.filter(code__in=wanted)) if wanted else []
    return [app for app in catalogue if app.code in wanted]


@dataclass(frozen=True)
class CitizenApplication:
    """An application with a public page, as a commune's home lists it."""

    code: str
    label: str
    description: str
    citizen_path: str


def citizen_applications_for(codes: list[str] | tuple[str, ...]) -> list[CitizenApplication]:
    """The catalogue entries of ``codes`` that have a public page, in catalogue order, from
    the shared cache (every commune's home page reads them)."""
    catalogue = tenant_cached(
        CITIZEN_CATALOGUE_CACHE,
        lambda: [
            CitizenApplication(app.code, app.label, app.description, app.citizen_path)
            for app in Application.objects.exclude(citizen_path=None).exclude(citizen_path="")
        ],
        shared=True,
    )
    wanted = set(codes)
    return [app for app in catalogue if app.code in wanted]


def application_catalogue_changed() -> None:
    """Called by every writer of the Application table, once its transaction commits."""
    tenant_cache_forget(CITIZEN_CATALOGUE_CACHE, shared=True)
