from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction

from portal.audit.trail import ANONYMOUS
from rendezvous import services
from rendezvous.models import Appointment, AppointmentDocument, Mode, RendezvousSettings
from tests.rendezvous.conftest import MONDAY, NOW, at

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _book(setup, contact, start=None, **kwargs):
    return services.appointment_book(
        acting_user=ANONYMOUS,
        appointment_type=setup.kind,
        place_id=setup.place.pk,
        starts_at=start or at(MONDAY, 9),
        now=NOW,
        **(contact | kwargs),
    )


def test_book_a_slot(rdv_a, contact):
    appointment = _book(rdv_a, contact)
    assert appointment.status == Appointment.Status.BOOKED
    assert appointment.agent_id == rdv_a.agent.pk
    assert appointment.ends_at == at(MONDAY, 9, 30)
    assert appointment.visio_url == ""
    assert len(appointment.token) >= 32


def test_visio_gets_an_unguessable_room_on_the_communes_provider(rdv_a, contact):
    first = _book(rdv_a, contact | {"mode": Mode.VISIO})
    assert first.visio_url.startswith("https://meet.jit.si/rdv-")
    assert len(first.visio_url.rsplit("rdv-", 1)[1]) >= 32
    settings_row = RendezvousSettings.current()
    settings_row.visio_base_url = "https://visio.example.fr/salles"
    settings_row.save()
    second = _book(rdv_a, contact | {"mode": Mode.VISIO}, start=at(MONDAY, 9, 30))
    assert second.visio_url.startswith("https://visio.example.fr/salles/rdv-")
    assert second.visio_url != first.visio_url


def test_slot_taken_gives_a_french_error_and_saves_nothing(rdv_a, contact):
    _book(rdv_a, contact)
    with pytest.raises(services.SlotUnavailable) as error:
        _book(rdv_a, contact | {"email": "autre@example.fr"})
    assert "vient d'être réservé" in error.value.messages[0]
    assert Appointment.objects.count() == 1


def test_same_slot_goes_to_another_free_agent(rdv_a, contact, member_factory):
    second = member_factory(rdv_a.tenant)
    rdv_a.activate()
    rule = rdv_a.rules[0]
    other = rule.__class__.objects.create(
        agent_id=second.pk,
        place=rdv_a.place,
        weekday=0,
        start_time=rule.start_time,
        end_time=rule.end_time,
        valid_from=rule.valid_from,
    )
    other.types.add(rdv_a.kind)
    first = _book(rdv_a, contact)
    again = _book(rdv_a, contact)
    assert {first.agent_id, again.agent_id} == {rdv_a.agent.pk, second.pk}
    with pytest.raises(services.SlotUnavailable):
        _book(rdv_a, contact)


@pytest.mark.parametrize(
    ("start", "message"),
    [
        (NOW - timedelta(days=1), "déjà passé"),
        (NOW + timedelta(hours=1), "trop proche"),
        (NOW + timedelta(days=90), "trop lointain"),
        (at(MONDAY, 9, 10), "vient d'être réservé"),  # not a slot the rules offer
        (at(MONDAY, 14), "vient d'être réservé"),
    ],
)
def test_slots_outside_rules_or_delays_are_refused(rdv_a, contact, start, message):
    with pytest.raises(services.SlotUnavailable) as error:
        _book(rdv_a, contact, start=start)
    assert message in " ".join(error.value.messages)
    assert not Appointment.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"email": "pas-une-adresse"}, "email"),
        ({"first_name": "  "}, "first_name"),
        ({"phone": "12345"}, "phone"),
        ({"mode": Mode.PHONE, "phone": ""}, "phone"),
        ({"mode": "pigeon"}, "mode"),
    ],
)
def test_bad_contact_data(rdv_a, contact, changes, field):
    with pytest.raises(ValidationError) as error:
        _book(rdv_a, contact | changes)
    assert field in error.value.message_dict
    assert not Appointment.objects.exists()


def test_mode_must_be_allowed_by_the_type(rdv_a, contact):
    rdv_a.kind.modes = [Mode.IN_PERSON]
    rdv_a.kind.save()
    with pytest.raises(ValidationError) as error:
        _book(rdv_a, contact | {"mode": Mode.VISIO})
    assert "uniquement : sur place" in error.value.message_dict["mode"][0]


def test_database_refuses_overlap_buffer_included(rdv_a):
    def row(start, end, blocked):
        return Appointment(
            type=rdv_a.kind,
            agent_id=rdv_a.agent.pk,
            place=rdv_a.place,
            mode="phone",
            starts_at=start,
            ends_at=end,
            blocked_until=blocked,
            status=Appointment.Status.BOOKED,
        )

    row(at(MONDAY, 9), at(MONDAY, 9, 30), at(MONDAY, 9, 45)).save()
    with pytest.raises(IntegrityError), transaction.atomic():
        row(at(MONDAY, 9, 40), at(MONDAY, 10), at(MONDAY, 10)).save()
    # Touching ranges are fine ('[)'), and a cancelled row does not count.
    row(at(MONDAY, 9, 45), at(MONDAY, 10, 15), at(MONDAY, 10, 15)).save()
    cancelled = row(at(MONDAY, 9), at(MONDAY, 9, 30), at(MONDAY, 9, 30))
    cancelled.status = Appointment.Status.CANCELLED
    cancelled.save()


def test_hold_then_confirm(rdv_a, contact):
    held = services.appointment_hold(
        appointment_type=rdv_a.kind, place_id=rdv_a.place.pk, starts_at=at(MONDAY, 9), now=NOW
    )
    assert held.status == Appointment.Status.HELD
    assert held.hold_expires_at == NOW + timedelta(minutes=10)
    with pytest.raises(services.SlotUnavailable):
        _book(rdv_a, contact)  # the hold keeps the slot
    booked = services.appointment_confirm(
        acting_user=ANONYMOUS, appointment=held, now=NOW, **contact
    )
    assert booked.status == Appointment.Status.BOOKED
    assert booked.hold_expires_at is None


def test_expired_hold_is_released_to_the_next_citizen(rdv_a, contact):
    held = services.appointment_hold(
        appointment_type=rdv_a.kind, place_id=rdv_a.place.pk, starts_at=at(MONDAY, 9), now=NOW
    )
    later = NOW + timedelta(minutes=11)
    other = services.appointment_book(
        acting_user=ANONYMOUS,
        appointment_type=rdv_a.kind,
        place_id=rdv_a.place.pk,
        starts_at=at(MONDAY, 9),
        now=later,
        **contact,
    )
    assert other.status == Appointment.Status.BOOKED
    held.refresh_from_db()
    assert held.status == Appointment.Status.EXPIRED
    with pytest.raises(services.SlotUnavailable):
        services.appointment_confirm(acting_user=ANONYMOUS, appointment=held, now=later, **contact)


def test_expired_but_untouched_hold_can_still_be_confirmed(rdv_a, contact):
    held = services.appointment_hold(
        appointment_type=rdv_a.kind, place_id=rdv_a.place.pk, starts_at=at(MONDAY, 9), now=NOW
    )
    booked = services.appointment_confirm(
        acting_user=ANONYMOUS, appointment=held, now=NOW + timedelta(minutes=30), **contact
    )
    assert booked.status == Appointment.Status.BOOKED


def test_bad_contact_on_confirm_keeps_the_hold(rdv_a, contact):
    held = services.appointment_hold(
        appointment_type=rdv_a.kind, place_id=rdv_a.place.pk, starts_at=at(MONDAY, 9), now=NOW
    )
    with pytest.raises(ValidationError):
        services.appointment_confirm(
            acting_user=ANONYMOUS, appointment=held, now=NOW, **(contact | {"email": "x"})
        )
    held.refresh_from_db()
    assert held.status == Appointment.Status.HELD and held.email == ""


def test_citizen_cancels_until_the_types_limit(rdv_a, contact):
    appointment = _book(rdv_a, contact)
    with pytest.raises(ValidationError) as error:
        services.appointment_cancel(
            acting_user=ANONYMOUS,
            appointment=appointment,
            by="citizen",
            now=at(MONDAY, 9) - timedelta(hours=23),
        )
    assert "au plus tard 24 heures avant" in error.value.messages[0]
    services.appointment_cancel(
        acting_user=ANONYMOUS, appointment=appointment, by="citizen", now=NOW
    )
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.CANCELLED
    # The slot is free again.
    assert _book(rdv_a, contact).status == Appointment.Status.BOOKED


def test_agent_cancel_needs_a_reason(rdv_a, contact):
    appointment = _book(rdv_a, contact)
    with pytest.raises(ValidationError) as error:
        services.appointment_cancel(
            acting_user=ANONYMOUS, appointment=appointment, by="agent", reason=" "
        )
    assert "reason" in error.value.message_dict
    services.appointment_cancel(
        acting_user=ANONYMOUS, appointment=appointment, by="agent", reason="Agent malade"
    )
    appointment.refresh_from_db()
    assert appointment.cancel_reason == "Agent malade" and appointment.cancelled_by == "agent"


def test_mark_seen_with_recap_and_survey(rdv_a, contact):
    appointment = _book(rdv_a, contact)
    with pytest.raises(ValidationError):
        services.survey_submit(acting_user=ANONYMOUS, appointment=appointment, score=5)
    services.appointment_mark(
        acting_user=ANONYMOUS, appointment=appointment, status="seen", recap="Dossier complet."
    )
    appointment.refresh_from_db()
    assert appointment.recap == "Dossier complet."
    with pytest.raises(ValidationError) as error:
        services.survey_submit(acting_user=ANONYMOUS, appointment=appointment, score=6)
    assert "de 1 à 5" in error.value.message_dict["score"][0]
    services.survey_submit(
        acting_user=ANONYMOUS, appointment=appointment, score="4", comment="Très bien"
    )
    with pytest.raises(ValidationError):
        services.survey_submit(acting_user=ANONYMOUS, appointment=appointment, score=4)


def test_documents_are_checked_by_content(rdv_a, contact):
    appointment = _book(rdv_a, contact)
    disguised = SimpleUploadedFile("photo.png", PDF, content_type="image/png")
    with pytest.raises(ValidationError) as error:
        services.document_add(
            acting_user=ANONYMOUS, appointment=appointment, uploaded=disguised, author="citizen"
        )
    assert "ne correspond pas" in error.value.messages[0]
    assert not AppointmentDocument.objects.exists()
    doc = services.document_add(
        acting_user=ANONYMOUS,
        appointment=appointment,
        uploaded=SimpleUploadedFile("justificatif.pdf", PDF),
        author="citizen",
    )
    assert doc.content_type == "application/pdf" and doc.size == len(PDF)
