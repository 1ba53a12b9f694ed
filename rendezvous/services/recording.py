"""The audit entries of appointments (portal.audit.trail): one helper for every write."""

from django.utils.translation import gettext_lazy as _

from portal.audit.trail import Actor, audit_action, audit_record
from rendezvous.models import Appointment

BOOKED = audit_action("rendezvous.booked", _("Rendez-vous pris"))
CANCELLED = audit_action("rendezvous.cancelled", _("Rendez-vous annulé"))
MOVED = audit_action("rendezvous.moved", _("Rendez-vous déplacé"))
MARKED = audit_action("rendezvous.marked", _("Rendez-vous marqué (vu, absent)"))
DOCUMENT_ADDED = audit_action("rendezvous.document_added", _("Document de rendez-vous"))
SURVEY_ANSWERED = audit_action("rendezvous.survey_answered", _("Avis sur un rendez-vous"))


def appointment_record(
    *, acting_user: Actor, action: str, appointment: Appointment, summary: str, **details
) -> None:
    audit_record(
        acting_user=acting_user,
        action=action,
        target=appointment,
        summary=f"Rendez-vous du {appointment.starts_at:%d/%m/%Y %H:%M} : {summary}",
        details={"status": appointment.status, **details},
    )
