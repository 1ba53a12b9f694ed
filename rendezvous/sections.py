"""Blocks on the commune's home page (search box, appointment types) and back office."""

from portal.links import reverse_fixed
from portal.sections import AccountLink, Section
from rendezvous import selectors

SERVICE = "rendezvous"
# Read by both home blocks, in the home page's one round trip (portal.sections).
HOME_CACHES = (selectors.CATALOGUE_CACHE,)


def home_section(request) -> Section | None:
    types = selectors.catalogue_cached()["types"][:8]
    return Section(
        title="Prendre rendez-vous",
        template="rendezvous/sections/home.html",
        context={"types": types, "search_url": reverse_fixed("rendezvous:search")},
        order=20,
    )


def account_link(request) -> AccountLink:
    return AccountLink(label="Mes rendez-vous", url=reverse_fixed("rendezvous:mine"), order=20)


def home_aside_section(request) -> Section | None:
    """The commune's hours on its home page: generated from its places' hours (issue 11),
    the same lines as on the place cards."""
    places = selectors.commune_hours()
    if not places:
        return None
    return Section(
        title="Horaires d'ouverture",
        template="rendezvous/sections/home_hours.html",
        context={"places": places},
    )


def backoffice_section(request) -> Section | None:
    return Section(title="Rendez-vous", template="rendezvous/sections/backoffice.html", order=20)
