"""Blocks on the commune's home page (search box, appointment types) and back office."""

from portal.sections import Section
from rendezvous import selectors

SERVICE = "rendezvous"


def _catalogue(request) -> dict:
    """The cached catalogue, read from the cache once for both blocks of the home page."""
    if not hasattr(request, "_rendezvous_catalogue"):
        request._rendezvous_catalogue = selectors.catalogue_cached()
    return request._rendezvous_catalogue


def home_section(request) -> Section | None:
    types = _catalogue(request)["types"][:8]
    return Section(
        title="Prendre rendez-vous",
        template="rendezvous/sections/home.html",
        context={"types": types},
        order=20,
    )


def home_aside_section(request) -> Section | None:
    """The commune's hours on its home page: generated from its places' hours (issue 11),
    the same lines as on the place cards."""
    places = selectors.commune_hours(catalogue=_catalogue(request))
    if not places:
        return None
    return Section(
        title="Horaires d'ouverture",
        template="rendezvous/sections/home_hours.html",
        context={"places": places},
    )


def backoffice_section(request) -> Section | None:
    return Section(title="Rendez-vous", template="rendezvous/sections/backoffice.html", order=20)
