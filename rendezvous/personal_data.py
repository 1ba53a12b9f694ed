"""Appointments' part of a person's data (portal.personal_data), with the SMS sent about them
(issue 28): the copy lists them like the appointments' e-mail address, in full; deleting the
account blanks their numbers but keeps each SMS's kind, status and billed segments (the
commune's invoice counts them)."""

from django.db import connection

from portal.sms.models import TextMessage
from rendezvous.models import Appointment
from rendezvous.sms import KIND_PREFIX


def _texts(appointment_ids):
    return TextMessage.objects.filter(kind__startswith=KIND_PREFIX, subject_id__in=appointment_ids)


def collect(user) -> dict[str, list[dict]]:
    appointments = Appointment.objects.filter(citizen_id=user.pk).order_by("starts_at")
    texts = _texts(appointments.values("pk")).order_by("created_at", "pk")
    return {
        "rendez_vous": list(
            appointments.values(
                "starts_at", "status", "mode", "first_name", "last_name", "email", "phone"
            )
        ),
        "sms": [
            {
                "date": text.sent_at or text.created_at,
                "commune": connection.tenant.name,
                "message": text.get_kind_display(),
                "etat": text.get_status_display(),
                "numero": text.phone,
            }
            for text in texts
        ],
    }


def detach(user) -> int:
    mine = Appointment.objects.filter(citizen_id=user.pk)
    blanked = _texts(mine.values("pk")).exclude(phone="").update(phone="")
    return blanked + mine.update(citizen_id=None)
