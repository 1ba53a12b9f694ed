"""Links in messages (issue 8): their secret is not the appointment's public identifier, the
calendar UID opens nothing, the booking page mints no link, and expiry and single use hold
on every route that takes a link, pages and API."""

import base64
import json
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from icalendar import Calendar

from portal.audit.trail import ANONYMOUS
from rendezvous import links, services
from rendezvous.messages import appointment_ics
from rendezvous.models import Appointment, AppointmentDocument, Mode
from tests.rendezvous.conftest import MONDAY, NOW, at


@pytest.fixture(autouse=True)
def _frozen(time_machine):
    time_machine.move_to(NOW)


@pytest.fixture
def booked(rdv_a, contact):
    rdv_a.activate()
    appointment = services.appointment_book(
        acting_user=ANONYMOUS,
        appointment_type=rdv_a.kind,
        place_id=rdv_a.place.pk,
        starts_at=at(MONDAY, 9),
        **(contact | {"mode": Mode.PHONE}),
    )
    services.document_add(
        acting_user=ANONYMOUS,
        appointment=appointment,
        uploaded=SimpleUploadedFile("piece.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf"),
        author=AppointmentDocument.Author.CITIZEN,
    )
    return appointment


def _payload(signed: str) -> str:
    encoded = signed.split(":")[0]
    return json.loads(base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)))


def test_the_link_secret_is_neither_the_hold_token_nor_the_calendar_uid(booked):
    signed = links.link_sign(appointment=booked)
    secret = _payload(signed)
    assert secret == booked.link_secret
    assert secret != booked.token and booked.token not in signed
    uid = str(Calendar.from_ical(appointment_ics(appointment=booked)).walk("VEVENT")[0]["uid"])
    assert uid == f"{booked.calendar_uid}@{settings.PORTAL_BASE_DOMAIN}"
    assert booked.token not in uid and booked.link_secret not in uid


def test_the_booking_page_of_a_booked_appointment_mints_no_link(booked, client_a):
    page = client_a.get(f"/rendez-vous/reservation/{booked.token}/")
    html = page.content.decode()
    assert page.status_code == 200 and "déjà confirmé" in html
    assert "/mon-rdv/" not in html and booked.link_secret not in html
    # A forged link from the hold token (the old scheme) is no link.
    from django.core import signing

    forged = signing.dumps(booked.token, salt=links.SALT, compress=False)
    assert client_a.get(f"/rendez-vous/mon-rdv/{forged}/").status_code == 400


def _routes(appointment, signed):
    """Every route that takes a link: (method, url, data, is_api)."""
    document = AppointmentDocument.objects.get(appointment=appointment)
    base = f"/rendez-vous/mon-rdv/{signed}/"
    slot = {"debut": at(MONDAY, 10).isoformat(), "lieu": appointment.place_id}
    held = services.appointment_hold(
        appointment_type=appointment.type, place_id=appointment.place_id, starts_at=at(MONDAY, 11)
    )
    return [
        ("get", base, None, False),
        ("post", base, {}, False),
        ("get", f"{base}documents/{document.pk}/", None, False),
        ("get", f"{base}annuler/", None, False),
        ("post", f"{base}annuler/", {}, False),
        ("get", f"{base}reprendre/", None, False),
        ("post", f"{base}reprendre/retenir/", slot, False),
        ("get", f"{base}deplacer/{held.token}/", None, False),
        ("post", f"{base}deplacer/{held.token}/", {"mode": "phone"}, False),
        ("get", f"{base}avis/", None, False),
        ("post", f"{base}avis/", {"score": 5}, False),
        ("post", "/api/rendez-vous/annulations/", {"link": signed}, True),
        (
            "post",
            "/api/rendez-vous/deplacements/",
            {"link": signed, "starts_at": at(MONDAY, 10).isoformat()},
            True,
        ),
    ]


def _call(client, method, url, data, is_api):
    if is_api:
        return client.post(url, data, content_type="application/json")
    return getattr(client, method)(url, data or {})


def _unchanged(booked):
    assert Appointment.objects.filter(status="booked").count() == 1
    assert Appointment.objects.get(pk=booked.pk).status == "booked"


def test_an_expired_link_is_refused_on_every_route(booked, client_a, time_machine):
    time_machine.move_to(NOW - timedelta(days=settings.RENDEZVOUS_LINK_MAX_AGE_DAYS, hours=1))
    signed = links.link_sign(appointment=booked)
    time_machine.move_to(NOW)
    routes = _routes(booked, signed)
    for method, url, data, is_api in routes:
        response = _call(client_a, method, url, data, is_api)
        text = response.json()["detail"] if is_api else response.content.decode()
        assert response.status_code == 400, (method, url)
        assert "expiré" in text, (method, url)
    _unchanged(booked)


def test_a_link_that_acted_is_dead_on_every_route(booked, client_a):
    signed = links.link_sign(appointment=booked)
    cancelled = client_a.post("/api/rendez-vous/annulations/", {"link": signed})
    assert cancelled.status_code == 200
    fresh = cancelled.json()["link"]
    assert fresh != signed  # the holder of the live link gets its successor
    for method, url, data, is_api in _routes(booked, signed):
        response = _call(client_a, method, url, data, is_api)
        text = response.json()["detail"] if is_api else response.content.decode()
        assert response.status_code == 400, (method, url)
        assert "plus valable" in text, (method, url)
    assert Appointment.objects.filter(status="booked").count() == 0
    # The successor works: the cancelled booking's page, and booking anew once.
    assert client_a.get(f"/rendez-vous/mon-rdv/{fresh}/").status_code == 200


def test_the_move_link_of_a_cancelled_appointment_books_anew_only_once(booked, client_a):
    services.appointment_cancel(
        acting_user=ANONYMOUS, appointment=booked, by="agent", reason="Agent absent"
    )
    signed = links.link_sign(appointment=booked)
    body = {"link": signed, "starts_at": at(MONDAY, 10).isoformat()}
    first = client_a.post("/api/rendez-vous/deplacements/", body, content_type="application/json")
    assert first.status_code == 201, first.content
    body["starts_at"] = at(MONDAY, 11).isoformat()
    second = client_a.post("/api/rendez-vous/deplacements/", body, content_type="application/json")
    assert second.status_code == 400 and "plus valable" in second.json()["detail"]
    assert Appointment.objects.filter(status="booked").count() == 1


def test_the_pages_book_anew_only_once_with_a_cancelled_appointments_link(booked, client_a):
    services.appointment_cancel(
        acting_user=ANONYMOUS, appointment=booked, by="agent", reason="Agent absent"
    )
    signed = links.link_sign(appointment=booked)
    forms = []
    for hour in (10, 11):
        held = client_a.post(
            f"/rendez-vous/mon-rdv/{signed}/reprendre/retenir/",
            {"debut": at(MONDAY, hour).isoformat(), "lieu": booked.place_id},
        )
        assert held.status_code == 302 and "depuis=" in held["Location"]
        forms.append(held["Location"])
    contact = {"mode": "phone", "first_name": "Camille", "last_name": "Usager"}
    contact |= {"email": "camille@example.fr", "phone": "06 12 34 56 78"}
    assert client_a.post(forms[0], contact).status_code == 302
    second = client_a.post(forms[1], contact)
    assert second.status_code == 400 and "plus valable" in second.content.decode()
    assert Appointment.objects.filter(status="booked").count() == 1


def test_a_citizen_cancelling_through_a_link_is_led_to_the_new_link(booked, client_a):
    signed = links.link_sign(appointment=booked)
    response = client_a.post(f"/rendez-vous/mon-rdv/{signed}/annuler/")
    assert response.status_code == 302
    booked.refresh_from_db()
    assert response["Location"] == f"/rendez-vous/mon-rdv/{links.link_sign(appointment=booked)}/"
    again = client_a.post(f"/rendez-vous/mon-rdv/{signed}/annuler/")
    assert again.status_code == 400
