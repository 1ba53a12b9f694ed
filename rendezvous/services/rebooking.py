"""Rebooking: the citizen moves a booking to another slot of its type through the signed
link of a message, with no account (issue 5; seed 000 brochure: "rebooking").

A move is one transaction: the new slot is booked for the same citizen and the old booking
cancelled (reason ``MOVED_REASON``), or neither. The exclusion constraint still decides
who gets the slot: if it was taken meanwhile, SlotUnavailable and the old booking stays.
"""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from portal.audit.trail import Actor
from rendezvous.models import Appointment, AppointmentDocument
from rendezvous.rules import citizen_limit
from rendezvous.services.booking import appointment_confirm, appointment_hold
from rendezvous.services.changes import link_rotate
from rendezvous.services.recording import MOVED, appointment_record

MOVED_REASON = "déplacé"
# What the link's appointment allows: move it, or only book anew with its contact details
# (it was cancelled by the commune or by the citizen, or it is over: nothing to cancel).
MOVE, NEW = "move", "new"


def appointment_rebook_check(*, appointment: Appointment, now: datetime | None = None) -> str:
    """``MOVE`` or ``NEW`` for the appointment behind a rebook link; ValidationError (French)
    when the link can no longer be used to rebook."""
    now = now or timezone.now()
    if not appointment.type.is_active:
        raise ValidationError(
            "Ce type de rendez-vous ne se prend plus en ligne. Contactez la mairie.",
            code="inactive",
        )
    if appointment.status == Appointment.Status.BOOKED:
        if now > citizen_limit(appointment=appointment):
            raise ValidationError(
                "Ce rendez-vous ne peut plus être déplacé en ligne (au plus tard "
                f"{appointment.type.cancellable_until_hours} heures avant). Contactez la mairie.",
                code="too_late",
            )
        return MOVE
    if Appointment.objects.filter(replaces=appointment).exists():
        raise ValidationError(
            "Ce rendez-vous a déjà été déplacé : utilisez les liens du courriel qui confirme "
            "votre nouveau rendez-vous.",
            code="already_moved",
        )
    return NEW


def appointment_rebook(
    *,
    acting_user: Actor,
    appointment: Appointment,
    held: Appointment | None = None,
    place_id: int | None = None,
    starts_at: datetime | None = None,
    mode: str = "",
    phone: str | None = None,
    sms_opt_out: bool | None = None,
    link_secret: str | None = None,
    now: datetime | None = None,
) -> Appointment:
    """Move ``appointment`` to a new slot of its type, all or nothing.

    The new slot is the one ``held`` for the citizen (pages: hold, then confirm as a move),
    or ``starts_at`` at ``place_id`` (default: the same place), held and confirmed at once
    (API). It is booked with the old booking's contact details, account and note; its mode
    too unless ``mode`` names another the type allows (``phone`` may give the number to
    call; ``sms_opt_out`` the citizen's choice about SMS, the old booking's when None). The
    old booking is cancelled (reason "déplacé"), its documents follow, and only
    the new booking's confirmation is sent (it says what it replaces).

    Raises SlotUnavailable if the new slot is taken (the old booking then stays booked),
    ValidationError if the old one cannot be moved any more (past the type's cancellation
    limit, already moved). If the commune cancelled it (or it is over), nothing is
    cancelled: the new slot is simply booked with its contact details.

    Either way the link used (``link_secret``) dies with the change: posted twice, the
    second attempt is refused (ValidationError) and books nothing.
    """
    now = now or timezone.now()
    with transaction.atomic():
        # Locked first: two moves of one booking run one after the other.
        old = (
            Appointment.objects.select_for_update(of=("self",))
            .select_related("type")
            .get(pk=appointment.pk)
        )
        kind = appointment_rebook_check(appointment=old, now=now)
        link_rotate(locked=old, link_secret=link_secret)
        old.save(update_fields=["link_secret", "updated_at"])
        if held is None:
            if starts_at is None:
                raise ValidationError({"starts_at": "Choisissez un créneau."})
            held = appointment_hold(
                appointment_type=old.type,
                place_id=old.place_id if place_id is None else place_id,
                starts_at=starts_at,
                now=now,
            )
        elif held.type_id != old.type_id:
            raise ValidationError("Ce créneau n'est pas du même type de rendez-vous.")
        new = appointment_confirm(
            acting_user=acting_user,
            appointment=held,
            mode=mode or old.mode,
            first_name=old.first_name,
            last_name=old.last_name,
            email=old.email,
            phone=old.phone if phone is None else phone,
            sms_opt_out=old.sms_opt_out if sms_opt_out is None else sms_opt_out,
            note=old.note,
            citizen_id=old.citizen_id,
            now=now,
        )
        if kind == MOVE:
            old.status = Appointment.Status.CANCELLED
            old.cancelled_by = "citizen"
            old.cancel_reason = MOVED_REASON
            old.save(update_fields=["status", "cancelled_by", "cancel_reason", "updated_at"])
            # The unique replaces_id stops a second move of the same booking, whatever
            # the route; the confirmation (queued on commit) reads it.
            new.replaces = old
            new.save(update_fields=["replaces", "updated_at"])
            AppointmentDocument.objects.filter(appointment=old).update(appointment=new)
            appointment_record(
                acting_user=acting_user,
                action=MOVED,
                appointment=old,
                summary=f"déplacé au {new.starts_at:%d/%m/%Y %H:%M}",
                new=new.pk,
            )
    return new
