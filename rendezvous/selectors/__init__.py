"""Reads of appointments, by concern: ``slots`` (free slots), ``places`` (places and
their hours), ``search`` (keyword search, the cached catalogue), ``agenda`` (the agents'
agenda), ``dashboard`` (a citizen's appointments). The rules they apply are in
``rendezvous.rules``.

Callers use ``from rendezvous import selectors`` and ``selectors.free_slots(...)``.
"""

from rendezvous.rules import TZ, Slot, booking_window, distinct_slots
from rendezvous.selectors.agenda import AgendaRow, agenda, agenda_rows
from rendezvous.selectors.dashboard import (
    URLCONF,
    CitizenAppointment,
    citizen_appointments,
    citizen_appointments_everywhere,
)
from rendezvous.selectors.places import (
    place_hours,
    places_described,
    places_for_type,
    rules_checked,
)
from rendezvous.selectors.search import (
    CATALOGUE_CACHE,
    SEARCH_CACHE,
    SEARCH_CACHE_SECONDS,
    PlaceRow,
    SearchResult,
    SearchSlot,
    TypeRow,
    catalogue_cached,
    commune_hours,
    search_page,
    search_rows,
    type_search,
)
from rendezvous.selectors.slots import (
    NEXT_CHUNK_DAYS,
    free_slots,
    next_free_slots,
    parse_slot_start,
    search_date_allowed,
    slot_agents,
)

__all__ = [
    "CATALOGUE_CACHE",
    "NEXT_CHUNK_DAYS",
    "SEARCH_CACHE",
    "SEARCH_CACHE_SECONDS",
    "TZ",
    "URLCONF",
    "AgendaRow",
    "CitizenAppointment",
    "PlaceRow",
    "SearchResult",
    "SearchSlot",
    "Slot",
    "TypeRow",
    "agenda",
    "agenda_rows",
    "booking_window",
    "catalogue_cached",
    "citizen_appointments",
    "citizen_appointments_everywhere",
    "commune_hours",
    "distinct_slots",
    "free_slots",
    "next_free_slots",
    "parse_slot_start",
    "place_hours",
    "places_described",
    "places_for_type",
    "rules_checked",
    "search_date_allowed",
    "search_page",
    "search_rows",
    "slot_agents",
    "type_search",
]
