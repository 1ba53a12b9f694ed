"""Booking: hold a slot, confirm it, or book in one step.

The never-twice rule is the database's: the exclusion constraint ``appointment_no_overlap``
refuses a second active row (hold or booking) for one agent over an overlapping time range,
buffer included. Services turn that refusal into ``SlotUnavailable`` (a French message).
"""

import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.db import IntegrityError, transaction
from django.utils import timezone
from psycopg import errors as pg_errors

from portal.accounts.models import User
from portal.audit.trail import Actor
from portal.sms.phones import phone_clean
from rendezvous import selectors
from rendezvous.models import (
    OWED_CONFIRMATION,
    Appointment,
    AppointmentType,
    Mode,
    RendezvousSettings,
)
from rendezvous.services.changes import link_rotate
from rendezvous.services.recording import BOOKED, appointment_record
from tenants.services.activity import account_activity_record

SLOT_TAKEN = (
    "Ce créneau vient d'être réservé par quelqu'un d'autre. "
    "Choisissez un autre créneau parmi ceux proposés."
)


class SlotUnavailable(ValidationError):
    """The slot cannot be booked (taken meanwhile, past, outside the booking delays)."""


def _is_exclusion_violation(error: IntegrityError) -> bool:
    return isinstance(error.__cause__, pg_errors.ExclusionViolation)


def _check_window(*, appointment_type: AppointmentType, starts_at: datetime, now: datetime):
    earliest, latest = selectors.booking_window(appointment_type=appointment_type, now=now)
    if starts_at <= now:
        raise SlotUnavailable("Ce créneau est déjà passé.", code="past")
    if starts_at < earliest:
        raise SlotUnavailable(
            "Ce créneau est trop proche : ce rendez-vous se prend au moins "
            f"{appointment_type.min_delay_hours} heures à l'avance.",
            code="too_soon",
        )
    if starts_at > latest:
        raise SlotUnavailable(
            "Ce créneau est trop lointain : ce rendez-vous se prend au plus "
            f"{appointment_type.max_delay_days} jours à l'avance.",
            code="too_late",
        )


def _insert_active(
    *,
    appointment_type: AppointmentType,
    place_id: int,
    starts_at: datetime,
    agent_ids: list[int],
    status: str,
    now: datetime,
    fields: dict,
) -> Appointment:
    """Insert a hold or booking for the first of ``agent_ids`` the database accepts."""
    duration = timedelta(minutes=appointment_type.duration_minutes)
    blocked_until = starts_at + duration + timedelta(minutes=appointment_type.buffer_minutes)
    for agent_id in agent_ids:
        # An expired hold must not block: release the agent's overlapping ones first, in
        # this transaction (the constraint's WHERE cannot use now()).
        Appointment.objects.filter(
            agent_id=agent_id,
            status=Appointment.Status.HELD,
            hold_expires_at__lte=now,
            starts_at__lt=blocked_until,
            blocked_until__gt=starts_at,
        ).update(status=Appointment.Status.EXPIRED, updated_at=now)
        try:
            with transaction.atomic():
                return Appointment.objects.create(
                    type=appointment_type,
                    agent_id=agent_id,
                    place_id=place_id,
                    starts_at=starts_at,
                    ends_at=starts_at + duration,
                    blocked_until=blocked_until,
                    status=status,
                    **fields,
                )
        except IntegrityError as error:
            if not _is_exclusion_violation(error):
                raise
    raise SlotUnavailable(SLOT_TAKEN, code="taken")


def _candidates(
    *,
    appointment_type: AppointmentType,
    place_id: int,
    starts_at: datetime,
    agent_id: int | None,
    now: datetime,
) -> list[int]:
    _check_window(appointment_type=appointment_type, starts_at=starts_at, now=now)
    agents = selectors.slot_agents(
        appointment_type=appointment_type, place_id=place_id, starts_at=starts_at, now=now
    )
    if agent_id is not None:
        agents = [a for a in agents if a == agent_id]
    if not agents:
        raise SlotUnavailable(SLOT_TAKEN, code="taken")
    return agents


def appointment_hold(
    *,
    appointment_type: AppointmentType,
    place_id: int,
    starts_at: datetime,
    now: datetime | None = None,
) -> Appointment:
    """Hold a slot for RENDEZVOUS_HOLD_MINUTES while the citizen fills the form. The hold is
    a row under the same exclusion constraint as bookings, so nobody else can take it."""
    now = now or timezone.now()
    with transaction.atomic():
        agents = _candidates(
            appointment_type=appointment_type,
            place_id=place_id,
            starts_at=starts_at,
            agent_id=None,
            now=now,
        )
        return _insert_active(
            appointment_type=appointment_type,
            place_id=place_id,
            starts_at=starts_at,
            agent_ids=agents,
            status=Appointment.Status.HELD,
            now=now,
            fields={"hold_expires_at": now + timedelta(minutes=settings.RENDEZVOUS_HOLD_MINUTES)},
        )


def contact_clean(
    *,
    appointment_type: AppointmentType,
    mode: str,
    first_name: str,
    last_name: str,
    email: str,
    phone: str,
    sms_opt_out: bool = False,
) -> dict:
    """Check the citizen's contact details and mode; raise ValidationError (French). Every
    route that books (pages, back office, API, moves) passes here: the number is checked
    and stored in E.164 by portal.sms.phones.phone_clean, once."""
    errors: dict[str, str] = {}
    first_name, last_name = first_name.strip(), last_name.strip()
    email = email.strip()
    try:
        phone = phone_clean(phone)
    except ValidationError as error:
        errors["phone"] = error.messages[0]
    if mode not in appointment_type.modes:
        allowed = ", ".join(m.lower() for m in appointment_type.get_modes_display())
        errors["mode"] = f"Ce rendez-vous se tient uniquement : {allowed}."
    if not first_name:
        errors["first_name"] = "Indiquez votre prénom."
    if not last_name:
        errors["last_name"] = "Indiquez votre nom."
    try:
        EmailValidator()(email)
    except ValidationError:
        errors["email"] = "Indiquez une adresse électronique valide (exemple : nom@domaine.fr)."
    if "phone" not in errors and not phone and mode == Mode.PHONE:
        errors["phone"] = "Indiquez le numéro auquel l'agent vous appellera."
    if errors:
        raise ValidationError(errors)
    return {
        "mode": mode,
        "first_name": first_name[:100],
        "last_name": last_name[:100],
        "email": email,
        "phone": phone,
        "sms_opt_out": bool(sms_opt_out),
    }


def _visio_url() -> str:
    # Unguessable room name (about 190 bits) on the commune's provider.
    return RendezvousSettings.current().visio_base + "rdv-" + secrets.token_urlsafe(24)


def _account_for(*, email: str) -> int | None:
    # An agent booking for a citizen who phoned: the booking joins the citizen's account
    # (their "Mes rendez-vous") when one has the address given (accounts are global).
    if not email:
        return None
    return (
        User.objects.filter(email__iexact=email, is_active=True)
        .values_list("pk", flat=True)
        .first()
    )


def _after_booking(appointment: Appointment) -> None:
    from portal.owed.services import owed_record
    from rendezvous.sms import CONFIRMATION, sms_owe

    # In the booking's transaction: "Mes rendez-vous" reads only the communes recorded.
    account_activity_record(user_id=appointment.citizen_id, appointments=1)
    # Owed from this commit on; the worker sends it, the sweep re-queues it if lost.
    owed_record(
        kind=OWED_CONFIRMATION, subject_ids=[appointment.pk], task="rendezvous.send_confirmation"
    )
    sms_owe(appointment=appointment, kind=CONFIRMATION)  # issue 28: and by SMS if wanted


def _source_use(*, source: Appointment, now: datetime) -> None:
    from rendezvous.services.rebooking import NEW, appointment_rebook_check

    locked = (
        Appointment.objects.select_for_update(of=("self",)).select_related("type").get(pk=source.pk)
    )
    if appointment_rebook_check(appointment=locked, now=now) != NEW:
        raise ValidationError(
            "Ce rendez-vous est toujours confirmé : déplacez-le plutôt que d'en prendre un autre."
        )
    link_rotate(locked=locked, link_secret=source.link_secret)
    locked.save(update_fields=["link_secret", "updated_at"])


def appointment_confirm(
    *,
    acting_user: Actor,
    appointment: Appointment,
    mode: str,
    first_name: str,
    last_name: str,
    email: str,
    phone: str = "",
    sms_opt_out: bool = False,
    note: str = "",
    citizen_id: int | None = None,
    source: Appointment | None = None,
    now: datetime | None = None,
) -> Appointment:
    """Turn a hold into a booking. The held row keeps the slot until then, even past its
    expiry, unless someone else released it to book the slot (then SlotUnavailable).

    ``source``: the cancelled or past booking whose rebook link led here (loaded from that
    link); booking anew uses that link up (a second booking with it is refused)."""
    now = now or timezone.now()
    contact = contact_clean(
        appointment_type=appointment.type,
        mode=mode,
        first_name=first_name,
        last_name=last_name,
        email=email,
        phone=phone,
        sms_opt_out=sms_opt_out,
    )
    with transaction.atomic():
        if source is not None:  # the older booking first, as a move does
            _source_use(source=source, now=now)
        held = (
            Appointment.objects.select_for_update(of=("self",))
            .filter(pk=appointment.pk, status=Appointment.Status.HELD)
            .first()
        )
        if held is None:
            raise SlotUnavailable(SLOT_TAKEN, code="taken")
        _check_window(appointment_type=held.type, starts_at=held.starts_at, now=now)
        for name, value in contact.items():
            setattr(held, name, value)
        held.note = note.strip()
        held.citizen_id = citizen_id
        held.status = Appointment.Status.BOOKED
        held.hold_expires_at = None
        if held.mode == Mode.VISIO:
            held.visio_url = _visio_url()
        held.save()
        _after_booking(held)
        appointment_record(
            acting_user=acting_user, action=BOOKED, appointment=held, summary=f"pris ({held.type})"
        )
    return held


def appointment_book(
    *,
    acting_user: Actor,
    appointment_type: AppointmentType,
    place_id: int,
    starts_at: datetime,
    mode: str,
    first_name: str,
    last_name: str,
    email: str,
    phone: str = "",
    sms_opt_out: bool = False,
    note: str = "",
    citizen_id: int | None = None,
    agent_id: int | None = None,
    booked_by_agent_id: int | None = None,
    now: datetime | None = None,
) -> Appointment:
    """Book a slot in one step (API, agents booking for a citizen who phoned): same checks
    as hold + confirm, all or nothing."""
    now = now or timezone.now()
    contact = contact_clean(
        appointment_type=appointment_type,
        mode=mode,
        first_name=first_name,
        last_name=last_name,
        email=email,
        phone=phone,
        sms_opt_out=sms_opt_out,
    )
    if not appointment_type.is_active and booked_by_agent_id is None:
        raise SlotUnavailable("Ce type de rendez-vous ne se prend plus en ligne.", code="inactive")
    if citizen_id is None and booked_by_agent_id is not None:
        citizen_id = _account_for(email=contact["email"])
    with transaction.atomic():
        agents = _candidates(
            appointment_type=appointment_type,
            place_id=place_id,
            starts_at=starts_at,
            agent_id=agent_id,
            now=now,
        )
        appointment = _insert_active(
            appointment_type=appointment_type,
            place_id=place_id,
            starts_at=starts_at,
            agent_ids=agents,
            status=Appointment.Status.BOOKED,
            now=now,
            fields={
                **contact,
                "note": note.strip(),
                "citizen_id": citizen_id,
                "booked_by_agent_id": booked_by_agent_id,
                "visio_url": _visio_url() if contact["mode"] == Mode.VISIO else "",
            },
        )
        _after_booking(appointment)
        appointment_record(
            acting_user=acting_user,
            action=BOOKED,
            appointment=appointment,
            summary=f"pris ({appointment_type})",
        )
    return appointment
