"""E-mails to the citizen: confirmation (with an ICS file), reminder, cancellation, recap and
survey. Each (appointment, kind) is sent once: the SentMessage row is written in the same
transaction as the send, and its unique constraint stops a second run (job run twice,
worker restarted)."""

from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone
from icalendar import Calendar, Event, vText

from portal.owed.services import owed_settle
from rendezvous import links
from rendezvous.models import OWED_KIND, Appointment, Mode, RendezvousSettings, SentMessage

SUBJECTS = {
    SentMessage.Kind.CONFIRMATION: "Votre rendez-vous du {date} est confirmé",
    SentMessage.Kind.REMINDER: "Rappel : votre rendez-vous du {date}",
    SentMessage.Kind.CANCELLATION: "Votre rendez-vous du {date} est annulé",
    SentMessage.Kind.FOLLOWUP: "Compte rendu de votre rendez-vous du {date}",
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
    it never wait for the worker): the SentMessage row inserted in this transaction is what
    makes the send happen once, a second run's insert waiting for this one, then failing."""
    with transaction.atomic():
        appointment = (
            Appointment.objects.select_related("type", "place", "replaces")
            .filter(pk=appointment_id)
            .first()
        )
        if kind in OWED_KIND:
            # Settled with this transaction, whether sent now, sent before or not sendable.
            owed_settle(kind=OWED_KIND[kind], subject_id=appointment_id)
        if appointment is None or not appointment.email:
            return False
        try:
            with transaction.atomic():
                SentMessage.objects.create(appointment=appointment, kind=kind)
        except IntegrityError:
            return False  # already sent
        local = timezone.localtime(appointment.starts_at)
        moved = kind == SentMessage.Kind.CONFIRMATION and appointment.replaces_id is not None
        # The commune's name first: the citizen may book in several communes.
        subject = f"[{connection.tenant.name}] " + (
            MOVED_SUBJECT if moved else SUBJECTS[kind]
        ).format(date=f"{local:%d/%m/%Y à %H:%M}")
        body = render_to_string(f"rendezvous/mail/{kind}.txt", _context(appointment))
        message = EmailMessage(subject=subject, body=body, to=[appointment.email])
        if kind == SentMessage.Kind.CONFIRMATION:
            message.attach(
                "rendez-vous.ics", appointment_ics(appointment=appointment), "text/calendar"
            )
        elif kind == SentMessage.Kind.CANCELLATION:
            message.attach(
                "annulation.ics",
                appointment_ics(appointment=appointment, cancel=True),
                "text/calendar; method=CANCEL",
            )
        # Sent inside the transaction: if sending fails, the row is rolled back and the
        # task retried; once committed, it is never sent again (nor owed any more).
        message.send()
    return True


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
        .exclude(messages__kind=SentMessage.Kind.REMINDER)
        .values_list("pk", flat=True)
    )


def reminders_send(*, now: datetime | None = None) -> dict:
    """Remind every booking starting within the commune's reminder delay, once (by SMS
    too when the citizen gave a mobile number: owed now, sent by the worker)."""
    from rendezvous.sms import sms_reminders_owe

    sms_reminders_owe(appointment_ids=reminders_due(now=now))
    sent = sum(
        message_send(appointment_id=pk, kind=SentMessage.Kind.REMINDER)
        for pk in reminders_due(now=now)
    )
    return {"reminders": sent}


def followups_send(*, now: datetime | None = None) -> dict:
    """After an appointment marked seen: the agent's recap and the satisfaction survey."""
    now = now or timezone.now()
    pending = (
        Appointment.objects.filter(status=Appointment.Status.SEEN, ends_at__lte=now)
        .exclude(messages__kind=SentMessage.Kind.FOLLOWUP)
        .values_list("pk", flat=True)
    )
    sent = sum(
        message_send(appointment_id=pk, kind=SentMessage.Kind.FOLLOWUP) for pk in list(pending)
    )
    # Housekeeping: holds released or abandoned more than a day ago are of no use.
    Appointment.objects.filter(
        status__in=[Appointment.Status.HELD, Appointment.Status.EXPIRED],
        hold_expires_at__lt=now - timedelta(days=1),
    ).delete()
    return {"followups": sent}
