"""Appointments' part of a person's data (portal.personal_data)."""

from rendezvous.models import Appointment


def collect(user) -> dict[str, list[dict]]:
    appointments = Appointment.objects.filter(citizen_id=user.pk).order_by("starts_at")
    return {
        "rendez_vous": list(
            appointments.values(
                "starts_at", "status", "mode", "first_name", "last_name", "email", "phone"
            )
        )
    }


def detach(user) -> int:
    return Appointment.objects.filter(citizen_id=user.pk).update(citizen_id=None)
