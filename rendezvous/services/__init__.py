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
from rendezvous.services.changes import appointment_cancel, appointment_mark
from rendezvous.services.exchanges import document_add, survey_submit

__all__ = [
    "PHONE_RE",
    "SLOT_TAKEN",
    "SlotUnavailable",
    "appointment_book",
    "appointment_cancel",
    "appointment_confirm",
    "appointment_hold",
    "appointment_mark",
    "contact_clean",
    "document_add",
    "survey_submit",
]
