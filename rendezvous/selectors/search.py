"""Reads: the citizens' keyword search and the cached catalogue of types and places
that visitors' pages list."""

from dataclasses import dataclass
from datetime import date

from django.db.models import QuerySet

from portal.links import pk_url
from portal.tenant_cache import tenant_cached
from portal.text import search_key
from rendezvous.models import AppointmentType, Mode, Place
from rendezvous.rules import TZ, Slot
from rendezvous.selectors.places import places_described
from rendezvous.selectors.slots import next_free_slots


def type_search(
    *, query: str = "", place_id: int | None = None, mode: str = ""
) -> QuerySet[AppointmentType]:
    """Active appointment types matching every word of ``query`` in their name, description,
    keywords or service (accents and case ignored), offered at ``place_id`` and in ``mode``."""
    types = AppointmentType.objects.filter(is_active=True).select_related("service")
    for word in search_key(query).split():
        types = types.filter(search_text__contains=word)
    if place_id:
        types = types.filter(opening_rules__place_id=place_id)
    if mode in Mode.values:
        types = types.filter(modes__contains=[mode])
    return types.distinct().order_by("service__name", "name")


# Cached catalogue of the commune's appointments (portal.tenant_cache), forgotten when an
# agent edits the configuration. The search page's "next free slots" are kept a minute:
# they only link to the type's page, whose week of slots is always computed live.
CATALOGUE_CACHE = "rendezvous:catalogue-rows"


SEARCH_CACHE = "rendezvous:search-page"


SEARCH_CACHE_SECONDS = 60


@dataclass(frozen=True)
class TypeRow:
    """An active appointment type as visitors' pages list it."""

    pk: int
    name: str
    service_name: str
    url: str


@dataclass(frozen=True)
class PlaceRow:
    """A place as visitors' pages show it (rendezvous/search_html.places_html reads the same
    names on a Place with ``hours_lines`` set)."""

    pk: int
    name: str
    address: str
    access_info: str
    is_reception: bool
    hours_lines: list[str]


def catalogue_cached() -> dict:
    """What visitors' pages list: active types (with their service's name) and places with
    their hours' text. Kept as plain values: unpickling model instances on every page cost
    more than the query they save (issue 11 §4)."""

    def build() -> dict:
        type_url = pk_url("rendezvous:type")
        types = (
            AppointmentType.objects.filter(is_active=True)
            .order_by("service__name", "name")
            .values_list("pk", "name", "service__name")
        )
        return {
            "types": [
                TypeRow(pk=pk, name=name, service_name=service, url=type_url(pk))
                for pk, name, service in types
            ],
            "places": [
                PlaceRow(
                    pk=place.pk,
                    name=place.name,
                    address=place.address,
                    access_info=place.access_info,
                    is_reception=place.is_reception,
                    hours_lines=place.hours_lines,
                )
                for place in places_described(Place.objects.order_by("name"))
            ],
        }

    return tenant_cached(CATALOGUE_CACHE, build)


def commune_hours() -> list["PlaceRow"]:
    """The places whose hours the commune's home shows (from the cached catalogue): the
    mairie's reception when one is marked, else every place that has hours."""
    places = catalogue_cached()["places"]
    reception = [place for place in places if place.is_reception]
    return reception or [place for place in places if place.hours_lines]


def search_page(
    *,
    query: str = "",
    place_id: int | None = None,
    mode: str = "",
    after: date | None = None,
    types_shown: int,
    slots_shown: int,
    horizon_days: int,
) -> tuple[list["SearchResult"], list[PlaceRow]]:
    """The search page's types matching the search, each with its next free slots, ready to
    show, and the commune's places. The unfiltered search, which every visitor of the page
    gets first, comes from the cache in one read."""

    def build():
        places = catalogue_cached()["places"]
        types = type_search(query=query, place_id=place_id, mode=mode)[:types_shown]
        found = [
            (
                kind,
                next_free_slots(
                    appointment_type=kind,
                    count=slots_shown,
                    place_id=place_id,
                    after=after,
                    horizon_days=horizon_days,
                ),
            )
            for kind in types
        ]
        return search_rows(found, places=places), places

    if query or place_id or mode or after:
        return build()
    return tenant_cached(SEARCH_CACHE, build, timeout=SEARCH_CACHE_SECONDS)


@dataclass(frozen=True)
class SearchSlot:
    url: str  # the type's week at that slot's day and place
    label: str  # "mar 24 Nov 09:30 — Mairie", local time


@dataclass(frozen=True)
class SearchResult:
    """One appointment type of the search page with its next free slots, ready to show:
    links and dates formatted here once, not per slot by the template (issue 11 §4)."""

    url: str
    name: str
    service: str
    duration_minutes: int
    modes: str
    description: str
    slots: list[SearchSlot]


def search_rows(
    results: list[tuple[AppointmentType, list[Slot]]], *, places: list[PlaceRow]
) -> list[SearchResult]:
    """Types with their next free slots as the search page lists them: links and dates
    formatted here once, not per slot by the template."""
    from django.utils.dateformat import format as date_format

    place_names = {place.pk: place.name for place in places}
    type_url = pk_url("rendezvous:type")
    rows = []
    for kind, slots in results:
        url = type_url(kind.pk)
        shown = []
        for slot in slots:
            local = slot.starts_at.astimezone(TZ)
            place = place_names.get(slot.place_id) or ""
            shown.append(
                SearchSlot(
                    url=f"{url}?date={local:%Y-%m-%d}&lieu={slot.place_id}",
                    label=f"{date_format(local, 'D j M H:i')} — {place}",
                )
            )
        rows.append(
            SearchResult(
                url=url,
                name=kind.name,
                service=kind.service.name,
                duration_minutes=kind.duration_minutes,
                modes=", ".join(str(label) for label in kind.get_modes_display()),
                description=kind.description,
                slots=shown,
            )
        )
    return rows
