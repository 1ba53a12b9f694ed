"""E-mails to the citizen: confirmation (with an ICS file), reminder, cancellation, recap and
survey. Each (appointment, kind) is an owed message (portal/owed): recorded with the change
or by the job that owes it, then sent inside ``owed_issuing``, whose row lock and
``issued_at`` stop a second run (job run twice, worker restarted, sweep)."""

from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import connection, transaction
from django.db.models import Exists, F, OuterRef
from django.template.loader import render_to_string
from django.utils import timezone
from icalendar import Calendar, Event, vText

from portal.owed.models import OwedDocument
from portal.owed.services import owed_issuing, owed_record
from rendezvous import links
from rendezvous.models import (
    OWED_KIND,
    Appointment,
    MessageKind,
    Mode,
    RendezvousSettings,
)

SUBJECTS = {
    MessageKind.CONFIRMATION: "Votre rendez-vous du {date} est confirmé",
    MessageKind.REMINDER: "Rappel : votre rendez-vous du {date}",
    MessageKind.CANCELLATION: "Votre rendez-vous du {date} est annulé",
    MessageKind.FOLLOWUP: "Compte rendu de votre rendez-vous du {date}",
}


MOVED_SUBJECT = "Votre rendez-vous est déplacé au {date}"
# A chain of moves longer than this is not followed further for the calendar's UID.
MAX_MOVES_FOLLOWED = 20


def _ics_identity(appointment: Appointment) -> tuple[str, int]:
    """UID and SEQUENCE of the appointment's calendar event. A moved appointment keeps the
    UID of the first booking with a higher SEQUENCE, so that the citizen's calendar moves
    the event rather than adding a second one (RFC 5545, 3.8.4.7 and 3.8.7.4)."""
    first, sequence = appointment, 0
    while first.replaces_id is not None and sequence < MAX_MOVES_FOLLOWED:
        first = Appointment.objects.only("calendar_uid", "replaces_id").get(pk=first.replaces_id)
        sequence += 1
    # A random UUID: the UID gives nothing that opens a page or signs a link (issue 8).
    return f"{first.calendar_uid}@{settings.PORTAL_BASE_DOMAIN}", sequence


def appointment_ics(*, appointment: Appointment, cancel: bool = False) -> bytes:
    """The appointment as an iCalendar file the citizen adds to their calendar; with
    ``cancel``, the same event (same UID, next SEQUENCE) cancelled, so that calendars
    remove it (RFC 5546, 3.2.5: METHOD:CANCEL, STATUS:CANCELLED)."""
    calendar = Calendar()
    calendar.add("prodid", "-//Portail des communes//Rendez-vous//FR")
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if cancel else "PUBLISH")
    event = Event()
    uid, sequence = _ics_identity(appointment)
    event.add("uid", uid)
    event.add("sequence", sequence + 1 if cancel else sequence)
    if cancel:
        event.add("status", "CANCELLED")
    event.add("dtstamp", timezone.now())
    event.add("dtstart", appointment.starts_at)
    event.add("dtend", appointment.ends_at)
    event.add("summary", f"{appointment.type.name} — {connection.tenant.name}")
    if appointment.mode == Mode.VISIO:
        event.add("location", vText(appointment.visio_url))
    elif appointment.mode == Mode.IN_PERSON:
        event.add("location", vText(f"{appointment.place.name}, {appointment.place.address}"))
    description = [f"Modalité : {appointment.get_mode_display()}"]
    if appointment.visio_url:
        description.append(f"Lien de la visio : {appointment.visio_url}")
    if appointment.type.documents_to_bring and not cancel:
        description.append(
            f"{appointment.documents_heading} : {appointment.type.documents_to_bring}"
        )
    if not cancel:
        description.append(f"Annuler : {links.cancel_url(appointment=appointment)}")
    event.add("description", "\n".join(description))
    calendar.add_component(event)
    return calendar.to_ical()


def _context(appointment: Appointment) -> dict:
    return {
        "appointment": appointment,
        "collectivite": connection.tenant,
        "manage_url": links.manage_url(appointment=appointment),
        "cancel_url": links.cancel_url(appointment=appointment),
        "rebook_url": links.rebook_url(appointment=appointment),
        "survey_url": links.survey_url(appointment=appointment),
    }


def message_send(*, appointment_id: int, kind: str) -> bool:
    """Send one message of an appointment unless already sent; True if sent now.

    The appointment's row is not locked while mailing (issue 8: citizens and agents acting on
    it never wait for the worker): the owed row's lock (portal/owed) makes the send happen
    once, a second run waiting for this one, then finding it issued."""
    with owed_issuing(kind=OWED_KIND[kind], subject_id=appointment_id) as owed:
        if not owed:
            return False  # already sent
        appointment = (
            Appointment.objects.select_related("type", "place", "replaces")
            .filter(pk=appointment_id)
            .first()
        )
        # Issued with this transaction, whether sent now or not sendable.
        if appointment is None or not appointment.email:
            return False
        local = timezone.localtime(appointment.starts_at)
        moved = kind == MessageKind.CONFIRMATION and appointment.replaces_id is not None
        # The commune's name first: the citizen may book in several communes.
        subject = f"[{connection.tenant.name}] " + (
            MOVED_SUBJECT if moved else SUBJECTS[kind]
        ).format(date=f"{local:%d/%m/%Y à %H:%M}")
        body = render_to_string(f"rendezvous/mail/{kind}.txt", _context(appointment))
        message = EmailMessage(subject=subject, body=body, to=[appointment.email])
        if kind == MessageKind.CONFIRMATION:
            message.attach(
                "rendez-vous.ics", appointment_ics(appointment=appointment), "text/calendar"
            )
        elif kind == MessageKind.CANCELLATION:
            message.attach(
                "annulation.ics",
                appointment_ics(appointment=appointment, cancel=True),
                "text/calendar; method=CANCEL",
            )
        # Sent inside the transaction: if sending fails, it rolls back and the message
        # stays owed (retried, swept); once committed, it is never sent again.
        message.send()
    return True


def _not_owed_yet(kind: str):
    return ~Exists(OwedDocument.objects.filter(kind=OWED_KIND[kind], subject_id=OuterRef("pk")))


def _owe_and_send(*, kind: str, appointment_ids: list[int]) -> int:
    """Record the messages as owed (a job killed midway leaves them to the sweep), then
    send each (once: the owed row)."""
    if not appointment_ids:
        return 0
    with transaction.atomic():
        owed_record(
            kind=OWED_KIND[kind], subject_ids=appointment_ids, task=f"rendezvous.send_{kind}"
        )
    return sum(message_send(appointment_id=pk, kind=kind) for pk in appointment_ids)


def reminders_due(*, now: datetime | None = None) -> list[int]:
    now = now or timezone.now()
    delay = timedelta(hours=RendezvousSettings.current().reminder_hours)
    return list(
        Appointment.objects.filter(
            status=Appointment.Status.BOOKED,
            starts_at__gt=now,
            starts_at__lte=now + delay,
            # Booked inside the reminder delay: the confirmation already said it all.
            created_at__lt=F("starts_at") - delay,
        )
        .filter(_not_owed_yet(MessageKind.REMINDER))
        .values_list("pk", flat=True)
    )


def reminders_send(*, now: datetime | None = None) -> dict:
    """Remind every booking starting within the commune's reminder delay, once (by SMS
    too when the citizen gave a mobile number: owed now, sent by the worker)."""
    from rendezvous.sms import sms_reminders_owe

    due = reminders_due(now=now)
    sms_reminders_owe(appointment_ids=due)
    sent = _owe_and_send(kind=MessageKind.REMINDER, appointment_ids=due)
    return {"reminders": sent}


def followups_send(*, now: datetime | None = None) -> dict:
    """After an appointment marked seen: the agent's recap and the satisfaction survey."""
    now = now or timezone.now()
    pending = (
        Appointment.objects.filter(status=Appointment.Status.SEEN, ends_at__lte=now)
        .filter(_not_owed_yet(MessageKind.FOLLOWUP))
        .values_list("pk", flat=True)
    )
    sent = _owe_and_send(kind=MessageKind.FOLLOWUP, appointment_ids=list(pending))
    # Housekeeping: holds released or abandoned more than a day ago are of no use.
    Appointment.objects.filter(
        status__in=[Appointment.Status.HELD, Appointment.Status.EXPIRED],
        hold_expires_at__lt=now - timedelta(days=1),
    ).delete()
    return {"followups": sent}
