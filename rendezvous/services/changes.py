"""Changes to a booking: the citizen cancels or moves it, the agent cancels or marks it."""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from portal.audit.trail import Actor
from rendezvous import rules
from rendezvous.models import OWED_CANCELLATION, Appointment, new_token
from rendezvous.rules import citizen_limit
from rendezvous.services.recording import CANCELLED, MARKED, appointment_record

LINK_USED = (
    "Ce lien a déjà servi : utilisez les liens du dernier courriel reçu pour ce rendez-vous."
)


def link_rotate(*, locked: Appointment, link_secret: str | None) -> None:
    """Single use of the links in messages (issue 8): an action taken through a link
    (``link_secret`` is the one it carried) must find it still current on the locked row,
    and replaces it, so that every earlier link dies. The caller saves ``link_secret``.
    An action not taken through a link (an agent's cancellation) leaves the links alone."""
    if link_secret is None:
        return
    if locked.link_secret != link_secret:
        raise ValidationError(LINK_USED, code="link_used")
    locked.link_secret = new_token()


def appointment_cancel(
    *,
    acting_user: Actor,
    appointment: Appointment,
    by: str,
    reason: str = "",
    link_secret: str | None = None,
    now: datetime | None = None,
) -> Appointment:
    """Cancel a booking. A citizen may do so until the type's limit before the start; an
    agent at any time, with a reason the citizen is told (and invited to rebook). Earlier
    links die (``link_secret``: the one the citizen's link carried); the cancellation
    message carries new ones."""
    now = now or timezone.now()
    with transaction.atomic():
        current = (
            Appointment.objects.select_for_update(of=("self",))
            .select_related("type")
            .get(pk=appointment.pk)
        )
        if current.status == Appointment.Status.CANCELLED:
            raise ValidationError("Ce rendez-vous est déjà annulé.", code="already_cancelled")
        allowed = rules.citizen_actions if by == "citizen" else rules.agent_actions
        if "cancel" not in allowed(status=current.status):
            raise ValidationError("Ce rendez-vous ne peut plus être annulé.", code="not_booked")
        if by == "citizen":
            if now > citizen_limit(appointment=current):
                raise ValidationError(
                    "Ce rendez-vous ne peut plus être annulé en ligne (au plus tard "
                    f"{current.type.cancellable_until_hours} heures avant). "
                    "Contactez la mairie.",
                    code="too_late",
                )
        elif not reason.strip():
            raise ValidationError(
                {"reason": "Indiquez le motif de l'annulation : il sera transmis à l'usager."}
            )
        link_rotate(locked=current, link_secret=link_secret)
        current.status = Appointment.Status.CANCELLED
        current.cancelled_by = by
        current.cancel_reason = reason.strip()
        current.save(
            update_fields=["status", "cancelled_by", "cancel_reason", "link_secret", "updated_at"]
        )
        from portal.owed.services import owed_record

        owed_record(
            kind=OWED_CANCELLATION, subject_ids=[current.pk], task="rendezvous.send_cancellation"
        )
        from rendezvous.sms import CANCELLATION, sms_owe

        sms_owe(appointment=current, kind=CANCELLATION)  # issue 28: and by SMS if wanted
        appointment_record(
            acting_user=acting_user,
            action=CANCELLED,
            appointment=current,
            summary="annulé" + (f" ({current.cancel_reason})" if current.cancel_reason else ""),
            by=by,
        )
    return current


def appointment_mark(
    *, acting_user: Actor, appointment: Appointment, status: str, recap: str = ""
) -> Appointment:
    """An agent marks an appointment seen or missed (and may write the recap)."""
    if status not in (Appointment.Status.SEEN, Appointment.Status.NO_SHOW):
        raise ValidationError("Statut inconnu.")
    with transaction.atomic():
        current = Appointment.objects.select_for_update().get(pk=appointment.pk)
        if "mark" not in rules.agent_actions(status=current.status):
            raise ValidationError("Ce rendez-vous a été annulé.")
        current.status = status
        if recap.strip():
            current.recap = recap.strip()
        current.save(update_fields=["status", "recap", "updated_at"])
        appointment_record(
            acting_user=acting_user,
            action=MARKED,
            appointment=current,
            summary=str(current.get_status_display()),
        )
    return current
