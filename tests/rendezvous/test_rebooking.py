"""Rebooking (services.appointment_rebook): a move books the new slot and cancels the old
booking in one transaction, or changes nothing."""

import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, connections
from icalendar import Calendar

from portal.audit.trail import ANONYMOUS
from portal.owed.models import OwedDocument
from rendezvous import messages, services
from rendezvous.models import Appointment, AppointmentDocument, Mode
from rendezvous.tasks import send_confirmation
from tests.rendezvous.conftest import MONDAY, NOW, at, make_setup

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _book(setup, contact, start=None, **changes):
    return services.appointment_book(
        acting_user=ANONYMOUS,
        appointment_type=setup.kind,
        place_id=setup.place.pk,
        starts_at=start or at(MONDAY, 9),
        now=NOW,
        **(contact | changes),
    )


def _move(old, start, **kwargs):
    return services.appointment_rebook(
        acting_user=ANONYMOUS, appointment=old, starts_at=start, now=NOW, **kwargs
    )


@pytest.fixture
def booked(rdv_a, contact, user_factory):
    citizen = user_factory()
    rdv_a.activate()
    return _book(rdv_a, contact, note="Renouvellement", citizen_id=citizen.pk)


def test_move_books_the_new_slot_and_cancels_the_old_one(booked, rdv_a):
    doc = services.document_add(
        acting_user=ANONYMOUS,
        appointment=booked,
        uploaded=SimpleUploadedFile("piece.pdf", PDF),
        author="citizen",
    )
    moved = _move(booked, at(MONDAY, 10))
    booked.refresh_from_db()
    assert booked.status == Appointment.Status.CANCELLED
    assert (booked.cancelled_by, booked.cancel_reason) == ("citizen", "déplacé")
    assert moved.status == Appointment.Status.BOOKED and moved.starts_at == at(MONDAY, 10)
    assert moved.replaces == booked and booked.replaced_by == moved
    # Same citizen: contact details, account, note and mode carried over.
    for name in ("first_name", "last_name", "email", "phone", "note", "citizen_id", "mode"):
        assert getattr(moved, name) == getattr(booked, name), name
    assert moved.token != booked.token
    # The citizen's documents follow the appointment.
    assert AppointmentDocument.objects.get(pk=doc.pk).appointment_id == moved.pk
    # The old slot is free again.
    assert _book(rdv_a, {"mode": "phone", **_other()}).starts_at == at(MONDAY, 9)


def _other():
    return {
        "first_name": "Dominique",
        "last_name": "Autre",
        "email": "dominique@example.fr",
        "phone": "06 00 00 00 00",
    }


def test_mode_may_change_where_the_type_allows(booked, rdv_a):
    moved = _move(booked, at(MONDAY, 10), mode=Mode.VISIO)
    assert moved.mode == Mode.VISIO and moved.visio_url.startswith("https://meet.jit.si/rdv-")
    rdv_a.kind.modes = [Mode.IN_PERSON, Mode.VISIO]
    rdv_a.kind.save()
    with pytest.raises(ValidationError) as error:
        _move(moved, at(MONDAY, 11), mode=Mode.PHONE)
    assert "uniquement" in error.value.message_dict["mode"][0]
    moved.refresh_from_db()
    assert moved.status == Appointment.Status.BOOKED
    assert not Appointment.objects.filter(starts_at=at(MONDAY, 11)).exists()


def test_slot_taken_meanwhile_leaves_the_old_booking_and_saves_nothing(booked, rdv_a):
    _book(rdv_a, _other() | {"mode": "phone"}, start=at(MONDAY, 10))
    before = set(Appointment.objects.values_list("pk", "status"))
    with pytest.raises(services.SlotUnavailable) as error:
        _move(booked, at(MONDAY, 10))
    assert "vient d'être réservé" in error.value.messages[0]
    assert set(Appointment.objects.values_list("pk", "status")) == before
    booked.refresh_from_db()
    assert booked.status == Appointment.Status.BOOKED and booked.cancel_reason == ""


def test_held_slot_taken_before_the_move_is_confirmed(booked, rdv_a):
    held = services.appointment_hold(
        appointment_type=rdv_a.kind, place_id=rdv_a.place.pk, starts_at=at(MONDAY, 10), now=NOW
    )
    later = NOW + timedelta(minutes=15)  # the hold expired; someone else takes the slot
    services.appointment_book(
        acting_user=ANONYMOUS,
        appointment_type=rdv_a.kind,
        place_id=rdv_a.place.pk,
        starts_at=at(MONDAY, 10),
        now=later,
        mode="phone",
        **_other(),
    )
    with pytest.raises(services.SlotUnavailable):
        services.appointment_rebook(acting_user=ANONYMOUS, appointment=booked, held=held, now=later)
    booked.refresh_from_db()
    assert booked.status == Appointment.Status.BOOKED
    assert not Appointment.objects.filter(replaces__isnull=False).exists()


def test_a_failure_after_the_new_slot_is_held_rolls_the_hold_back(booked):
    count = Appointment.objects.count()
    with pytest.raises(ValidationError) as error:
        _move(booked, at(MONDAY, 10), mode=Mode.PHONE, phone="")
    assert "appellera" in error.value.message_dict["phone"][0]
    assert Appointment.objects.count() == count
    booked.refresh_from_db()
    assert booked.status == Appointment.Status.BOOKED


def test_past_the_cancellation_limit_gives_a_french_error(booked):
    with pytest.raises(ValidationError) as error:
        services.appointment_rebook(
            acting_user=ANONYMOUS,
            appointment=booked,
            starts_at=at(MONDAY, 10),
            now=at(MONDAY, 9) - timedelta(hours=23),
        )
    assert error.value.messages == [
        "Ce rendez-vous ne peut plus être déplacé en ligne (au plus tard 24 heures avant). "
        "Contactez la mairie."
    ]
    booked.refresh_from_db()
    assert booked.status == Appointment.Status.BOOKED
    assert Appointment.objects.count() == 1


def test_a_moved_booking_cannot_be_moved_or_cancelled_again(booked):
    moved = _move(booked, at(MONDAY, 10))
    with pytest.raises(ValidationError) as error:
        _move(booked, at(MONDAY, 11))
    assert "déjà été déplacé" in error.value.messages[0]
    with pytest.raises(ValidationError) as error:
        services.appointment_cancel(
            acting_user=ANONYMOUS, appointment=booked, by="citizen", now=NOW
        )
    assert "déjà annulé" in error.value.messages[0]
    assert Appointment.objects.filter(status=Appointment.Status.BOOKED).get() == moved
    # The new booking moves on in turn.
    again = _move(moved, at(MONDAY, 11))
    assert again.replaces == moved


def test_after_the_communes_cancellation_the_link_books_anew(booked):
    services.appointment_cancel(
        acting_user=ANONYMOUS, appointment=booked, by="agent", reason="Agent absent"
    )
    booked.refresh_from_db()
    assert services.appointment_rebook_check(appointment=booked, now=NOW) == services.NEW
    fresh = _move(booked, at(MONDAY, 10))
    booked.refresh_from_db()
    assert (booked.status, booked.cancel_reason) == ("cancelled", "Agent absent")
    assert fresh.replaces is None and fresh.email == booked.email
    assert fresh.citizen_id == booked.citizen_id


def test_inactive_type_cannot_be_rebooked_online(booked, rdv_a):
    rdv_a.kind.is_active = False
    rdv_a.kind.save()
    with pytest.raises(ValidationError) as error:
        _move(booked, at(MONDAY, 10))
    assert "ne se prend plus en ligne" in error.value.messages[0]


def test_one_message_the_new_confirmation_that_replaces_the_old(
    booked, django_capture_on_commit_callbacks
):
    first_ics = messages.appointment_ics(appointment=booked)
    with django_capture_on_commit_callbacks() as callbacks:
        moved = _move(booked, at(MONDAY, 10))
    assert len(callbacks) == 1  # the new confirmation only, no cancellation message
    assert send_confirmation.run(moved.pk) is True
    assert send_confirmation.run(moved.pk) is False
    assert list(
        OwedDocument.objects.filter(
            kind__startswith="rendezvous.", issued_at__isnull=False
        ).values_list("subject_id", "kind")
    ) == [  # issue 27: owed, issued once
        (moved.pk, "rendezvous.confirmation")
    ]
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject == "[Commune A] Votre rendez-vous est déplacé au 07/12/2026 à 10:00"
    assert "remplace celui du lundi 7 décembre 2026 à 09:00, qui est annulé" in message.body
    assert "Déplacer ce rendez-vous : http://test-a.localhost:8000/rendez-vous/mon-rdv/" in (
        message.body
    )
    # The calendar event moves: same UID as the first booking's, a higher SEQUENCE.
    old_event = Calendar.from_ical(first_ics).walk("VEVENT")[0]
    new_event = Calendar.from_ical(message.attachments[0][1]).walk("VEVENT")[0]
    assert str(new_event["uid"]) == str(old_event["uid"])
    assert int(new_event["sequence"]) == 1 > int(old_event["sequence"])
    assert new_event.decoded("dtstart") == at(MONDAY, 10)


@pytest.mark.django_db(transaction=True)
def test_two_moves_of_one_booking_at_once_one_wins(tenant_a, member_factory, contact):
    """Two tabs confirm a move of the same booking to different slots: the row lock (and
    the unique ``replaces``) let exactly one through."""
    setup = make_setup(tenant_a, [member_factory(tenant_a)])
    try:
        old = _book(setup, contact)
        barrier = threading.Barrier(2)
        results = []

        def run(hour):
            try:
                connection.set_tenant(setup.tenant)
                barrier.wait(timeout=10)
                results.append(("ok", _move(old, at(MONDAY, hour)).pk))
            except ValidationError as error:
                results.append(("refused", error.messages[0]))
            finally:
                connections.close_all()

        threads = [threading.Thread(target=run, args=(hour,)) for hour in (10, 11)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        assert sorted(r[0] for r in results) == ["ok", "refused"], results
        assert "déjà été déplacé" in next(r[1] for r in results if r[0] == "refused")
        connection.set_tenant(tenant_a)
        assert Appointment.objects.filter(status="booked").count() == 1
        assert Appointment.objects.get(pk=old.pk).status == "cancelled"
    finally:
        connection.set_tenant(tenant_a)
        Appointment.objects.all().delete()
