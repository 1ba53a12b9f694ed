from datetime import timedelta

import pytest
from django.core import mail
from icalendar import Calendar

from portal.audit.trail import ANONYMOUS
from portal.jobs.services import job_run
from portal.owed.models import OwedDocument
from rendezvous import messages, services
from rendezvous.models import Mode, RendezvousSettings
from rendezvous.tasks import send_confirmation
from tests.rendezvous.conftest import MONDAY, NOW, at


@pytest.fixture(autouse=True)
def _frozen(time_machine):
    time_machine.move_to(NOW)


@pytest.fixture
def booked(rdv_a, contact):
    return services.appointment_book(
        acting_user=ANONYMOUS,
        appointment_type=rdv_a.kind,
        place_id=rdv_a.place.pk,
        starts_at=at(MONDAY, 9),
        now=NOW,
        **(contact | {"mode": Mode.VISIO}),
    )


def test_confirmation_with_ics_visio_and_links_sent_once(booked):
    assert messages.message_send(appointment_id=booked.pk, kind="confirmation") is True
    assert messages.message_send(appointment_id=booked.pk, kind="confirmation") is False
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["camille@example.fr"]
    assert "07/12/2026 à 09:00" in message.subject
    assert booked.visio_url in message.body
    assert "Justificatif de domicile" in message.body
    assert "http://test-a.localhost:8000/rendez-vous/mon-rdv/" in message.body
    assert "/annuler/" in message.body and "/reprendre/" in message.body
    filename, content, mimetype = message.attachments[0]
    assert (filename, mimetype) == ("rendez-vous.ics", "text/calendar")
    event = Calendar.from_ical(content).walk("VEVENT")[0]
    assert event.decoded("dtstart") == at(MONDAY, 9)
    assert str(event["location"]) == booked.visio_url


def test_task_takes_an_id_and_is_safe_twice(booked):
    assert send_confirmation.run(booked.pk) is True
    assert send_confirmation.run(booked.pk) is False
    assert (
        OwedDocument.objects.filter(kind__startswith="rendezvous.", issued_at__isnull=False)
        .filter(subject_id=booked.pk)
        .count()
        == 1
    )


def test_reminder_within_the_communes_delay_once_with_documents(booked, time_machine):
    time_machine.move_to(at(MONDAY, 9) - timedelta(hours=49))
    assert job_run(job="rendezvous.reminders").result == {"reminders": 0}
    time_machine.move_to(at(MONDAY, 9) - timedelta(hours=47))
    assert job_run(job="rendezvous.reminders").result == {"reminders": 1}
    assert job_run(job="rendezvous.reminders").result == {"reminders": 0}
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject.startswith("[Commune A] Rappel")
    assert "Justificatif de domicile" in mail.outbox[0].body
    assert booked.visio_url in mail.outbox[0].body


def test_reminder_delay_is_set_per_commune(booked):
    row = RendezvousSettings.current()
    row.reminder_hours = 24
    row.save()
    assert messages.reminders_send(now=at(MONDAY, 9) - timedelta(hours=30)) == {"reminders": 0}
    assert messages.reminders_send(now=at(MONDAY, 9) - timedelta(hours=20)) == {"reminders": 1}


def test_followup_sends_recap_and_survey_after_the_appointment(booked):
    services.appointment_mark(
        acting_user=ANONYMOUS, appointment=booked, status="seen", recap="Pièces vérifiées."
    )
    assert messages.followups_send(now=at(MONDAY, 9, 10)) == {"followups": 0}
    assert messages.followups_send(now=at(MONDAY, 10)) == {"followups": 1}
    assert messages.followups_send(now=at(MONDAY, 11)) == {"followups": 0}
    body = mail.outbox[0].body
    assert "Pièces vérifiées." in body and "/avis/" in body


def test_agent_cancellation_tells_the_citizen_and_invites_to_rebook(
    booked, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        services.appointment_cancel(
            acting_user=ANONYMOUS, appointment=booked, by="agent", reason="Fermeture exceptionnelle"
        )
    assert len(callbacks) == 1  # the cancellation message, queued after commit
    messages.message_send(appointment_id=booked.pk, kind="cancellation")
    body = mail.outbox[0].body
    assert "Fermeture exceptionnelle" in body and "/reprendre/" in body


def test_no_reminder_for_a_booking_made_inside_the_reminder_delay(rdv_a, contact, time_machine):
    time_machine.move_to(at(MONDAY, 9) - timedelta(hours=30))
    services.appointment_book(
        acting_user=ANONYMOUS,
        appointment_type=rdv_a.kind,
        place_id=rdv_a.place.pk,
        starts_at=at(MONDAY, 9),
        **contact,
    )
    assert messages.reminders_send() == {"reminders": 0}


def test_subjects_carry_the_communes_name(booked, tenant_a):
    messages.message_send(appointment_id=booked.pk, kind="confirmation")
    assert mail.outbox[0].subject.startswith(f"[{tenant_a.name}] ")


def test_cancellation_carries_an_ics_cancel_of_the_same_event(booked):
    messages.message_send(appointment_id=booked.pk, kind="confirmation")
    services.appointment_cancel(acting_user=ANONYMOUS, appointment=booked, by="citizen", reason="")
    messages.message_send(appointment_id=booked.pk, kind="cancellation")
    confirmation, cancellation = mail.outbox
    booked_event = Calendar.from_ical(confirmation.attachments[0][1]).walk("VEVENT")[0]
    filename, content, mimetype = cancellation.attachments[0]
    assert filename == "annulation.ics" and mimetype.startswith("text/calendar")
    calendar = Calendar.from_ical(content)
    assert str(calendar["method"]) == "CANCEL"
    event = calendar.walk("VEVENT")[0]
    # RFC 5546: the same UID, a higher SEQUENCE, STATUS:CANCELLED.
    assert str(event["uid"]) == str(booked_event["uid"])
    assert event["sequence"] > booked_event["sequence"]
    assert str(event["status"]) == "CANCELLED"


def test_visio_booking_shows_no_place_and_documents_to_prepare(booked, rdv_a):
    messages.message_send(appointment_id=booked.pk, kind="confirmation")
    body = mail.outbox[0].body
    assert rdv_a.place.name not in body and "Lieu :" not in body
    assert "Documents à apporter" not in body
    assert "Documents à préparer" in body and "Justificatif de domicile" in body
