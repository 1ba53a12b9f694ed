"""Writes: hold, book, confirm, cancel, move (rebook), mark, recap, survey, documents.

Callers use ``from rendezvous import services`` and ``services.appointment_book(...)``;
the functions live in the modules below, by concern.
"""

from rendezvous.services.booking import (
    PHONE_RE,
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
    citizen_limit,
    link_rotate,
)
from rendezvous.services.configuration import config_save, settings_save
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
    "LINK_USED",
    "MOVE",
    "MOVED_REASON",
    "NEW",
    "PHONE_RE",
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
    "config_save",
    "contact_clean",
    "document_add",
    "link_rotate",
    "place_save",
    "settings_save",
    "survey_submit",
]
