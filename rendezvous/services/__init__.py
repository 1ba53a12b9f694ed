"""Writes: hold, book, confirm, cancel, move (rebook), mark, recap, survey, documents, and
the configuration (services, types, places, openings, absences, settings).

Callers use ``from rendezvous import services`` and ``services.appointment_book(...)``;
the functions live in the modules below, by concern.
"""

from rendezvous.rules import citizen_limit
from rendezvous.services.booking import (
    SLOT_TAKEN,
    SlotUnavailable,
    appointment_book,
    appointment_confirm,
    appointment_hold,
    contact_clean,
)
from rendezvous.services.changes import (
    LINK_USED,
    appointment_cancel,
    appointment_mark,
    link_rotate,
)
from rendezvous.services.configuration import (
    absence_save,
    opening_save,
    service_save,
    settings_save,
    type_save,
)
from rendezvous.services.exchanges import document_add, survey_submit
from rendezvous.services.places import place_save
from rendezvous.services.rebooking import (
    MOVE,
    MOVED_REASON,
    NEW,
    appointment_rebook,
    appointment_rebook_check,
)

__all__ = [
    "absence_save",
    "LINK_USED",
    "MOVE",
    "MOVED_REASON",
    "NEW",
    "SLOT_TAKEN",
    "SlotUnavailable",
    "appointment_book",
    "appointment_cancel",
    "appointment_confirm",
    "appointment_hold",
    "appointment_mark",
    "appointment_rebook",
    "appointment_rebook_check",
    "citizen_limit",
    "contact_clean",
    "document_add",
    "link_rotate",
    "opening_save",
    "place_save",
    "service_save",
    "settings_save",
    "survey_submit",
    "type_save",
]
