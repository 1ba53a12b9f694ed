"""The application catalogue (what the platform offers; the codes ``Collectivite.services``
stores), for the apps that the catalogue's keeper builds on.

The catalogue is kept by the conventions app (its ``Application`` table,
``conventions.catalogue``), which builds on tenants; tenants lists a member's applications
and offers them at onboarding. So that neither app imports the other (issue 27), tenants
reads the catalogue here, and conventions registers its ``conventions.catalogue`` module at
start-up (``catalogue_register`` in its AppConfig.ready). Apps above conventions may import
``conventions.catalogue`` directly.
"""

from typing import Any, Protocol

from django.core.exceptions import ImproperlyConfigured

# The catalogue's public entries, in the shared cache (portal.tenant_cache): every commune's
# home page reads them; forgotten by every write of the catalogue.
CITIZEN_CATALOGUE_CACHE = "conventions:citizen-applications"


class Catalogue(Protocol):
    """What the keeper provides. An application has at least ``code`` and ``label``."""

    def application_catalogue(self) -> list[Any]: ...

    def application_choices(self) -> list[tuple[str, str]]: ...

    def application_get(self, code: str) -> Any | None: ...

    def default_service_codes(self) -> list[str]: ...

    def applications_for(self, codes, *, catalogue: list | None = None) -> list[Any]: ...

    def citizen_applications_for(self, codes) -> list[Any]: ...


_keeper: Catalogue | None = None


def catalogue_register(keeper: Catalogue) -> None:
    global _keeper
    _keeper = keeper


def _catalogue() -> Catalogue:
    if _keeper is None:
        raise ImproperlyConfigured("No app registered the application catalogue.")
    return _keeper


def application_catalogue() -> list[Any]:
    """Every application, in catalogue order (pages over many members read it once)."""
    return _catalogue().application_catalogue()


def application_choices() -> list[tuple[str, str]]:
    return _catalogue().application_choices()


def application_known(code: str) -> bool:
    return _catalogue().application_get(code) is not None


def default_service_codes() -> list[str]:
    """What a member onboarded before any convention uses."""
    return _catalogue().default_service_codes()


def applications_for(codes, *, catalogue: list | None = None) -> list[Any]:
    """The entries of ``codes`` in catalogue order (unknown codes skipped)."""
    return _catalogue().applications_for(codes, catalogue=catalogue)


def citizen_applications_for(codes) -> list[Any]:
    """The entries of ``codes`` that have a public page, from the shared cache."""
    return _catalogue().citizen_applications_for(codes)
