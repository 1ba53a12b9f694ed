"""What the citizen and the agents exchange around an appointment: documents, the survey."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from portal.audit.trail import Actor
from portal.inputs import number
from portal.uploads import upload_check
from rendezvous import rules
from rendezvous.models import Appointment, AppointmentDocument, SurveyResponse
from rendezvous.services.recording import DOCUMENT_ADDED, SURVEY_ANSWERED, appointment_record


def survey_submit(
    *, acting_user: Actor, appointment: Appointment, score: int | str, comment: str = ""
) -> SurveyResponse:
    """The citizen's satisfaction (1 to 5 and a comment), once per appointment."""
    score = number(score, low=1, high=5)
    if score is None:
        raise ValidationError({"score": "Choisissez une note de 1 à 5."})
    if "survey" not in rules.citizen_actions(status=appointment.status):
        raise ValidationError("L'enquête est ouverte après le rendez-vous.")
    if SurveyResponse.objects.filter(appointment=appointment).exists():
        raise ValidationError("Vous avez déjà répondu : merci !")
    try:
        with transaction.atomic():
            response = SurveyResponse.objects.create(
                appointment=appointment, score=score, comment=comment.strip()[:2000]
            )
            appointment_record(
                acting_user=acting_user,
                action=SURVEY_ANSWERED,
                appointment=appointment,
                summary=f"avis {score}/5",
            )
            return response
    except IntegrityError:
        raise ValidationError("Vous avez déjà répondu : merci !") from None


def document_add(
    *, acting_user: Actor, appointment: Appointment, uploaded, author: str
) -> AppointmentDocument:
    """A document for the appointment (citizen's upload or agent's share), checked by content
    like SVE uploads."""
    if appointment.status in (Appointment.Status.CANCELLED, Appointment.Status.HELD):
        raise ValidationError("Ce rendez-vous n'accepte pas de document.")
    checked = upload_check(uploaded)
    with transaction.atomic():
        document = AppointmentDocument.objects.create(
            appointment=appointment,
            author=author,
            file=uploaded,
            name=checked.name[:255],
            content_type=checked.content_type,
            size=checked.size,
        )
        appointment_record(
            acting_user=acting_user,
            action=DOCUMENT_ADDED,
            appointment=appointment,
            summary=f"document « {document.name} » ajouté",
            author=author,
        )
        return document
