"""Appointment figures of the yearly usage report (portal.usage; seed 000 art. 8)."""

from django.db.models import Avg, Count, Q

from portal.usage import UsageBlock
from rendezvous.models import Appointment, SurveyResponse

Status = Appointment.Status


def yearly_usage(year: int) -> UsageBlock:
    appointments = Appointment.objects.filter(starts_at__year=year)
    counts = appointments.aggregate(
        booked=Count("pk", filter=Q(status__in=(Status.BOOKED, Status.SEEN, Status.NO_SHOW))),
        seen=Count("pk", filter=Q(status=Status.SEEN)),
        no_show=Count("pk", filter=Q(status=Status.NO_SHOW)),
        cancelled=Count("pk", filter=Q(status=Status.CANCELLED)),
    )
    survey = SurveyResponse.objects.filter(appointment__starts_at__year=year).aggregate(
        score=Avg("score"), answers=Count("pk")
    )
    score = survey["score"]
    return UsageBlock(
        "Prise de rendez-vous",
        [
            ("Rendez-vous pris", str(counts["booked"])),
            ("Rendez-vous honorés", str(counts["seen"])),
            ("Absences", str(counts["no_show"])),
            ("Annulations", str(counts["cancelled"])),
            (
                "Note moyenne de l'enquête de satisfaction",
                f"{score:.1f} / 5 ({survey['answers']} réponse(s))".replace(".", ",")
                if score is not None
                else "—",
            ),
        ],
        order=20,
    )
