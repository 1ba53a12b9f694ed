"""Booking limits (issue 8): 70 anonymous bookings in seconds, each mailing any address, are
no longer possible: per IP and per address, pages and API, 429 in French."""

import pytest

from rendezvous.models import Appointment
from tests.rendezvous.conftest import MONDAY, NOW, at


@pytest.fixture(autouse=True)
def _frozen(time_machine):
    time_machine.move_to(NOW)


def _payload(setup, hour, email):
    return {
        "type_id": setup.kind.pk,
        "place_id": setup.place.pk,
        "starts_at": at(MONDAY, hour).isoformat(),
        "mode": "in_person",
        "first_name": "Camille",
        "last_name": "Usager",
        "email": email,
    }


def _book(client, setup, hour, email):
    return client.post(
        "/api/rendez-vous/reservations/",
        _payload(setup, hour, email),
        content_type="application/json",
    )


def test_api_bookings_are_limited_per_address_and_per_ip(rdv_a, client_a, settings):
    settings.PORTAL_RATE_LIMITS = settings.PORTAL_RATE_LIMITS | {
        "booking:ip": "4/h",
        "booking:account": "2/h",
    }
    assert _book(client_a, rdv_a, 9, "victime@example.fr").status_code == 201
    assert _book(client_a, rdv_a, 10, "victime@example.fr").status_code == 201
    refused = _book(client_a, rdv_a, 11, "Victime@Example.fr")
    assert refused.status_code == 429 and refused.json()["code"] == "throttled"
    assert "Trop de tentatives" in refused.json()["detail"]
    assert _book(client_a, rdv_a, 11, "autre@example.fr").status_code == 201
    assert _book(client_a, rdv_a, 11, "encore@example.fr").status_code == 429  # IP: 5th
    assert Appointment.objects.filter(status="booked").count() == 3


def test_booking_pages_are_limited_per_address(rdv_a, client_a, settings):
    settings.PORTAL_RATE_LIMITS = settings.PORTAL_RATE_LIMITS | {"booking:account": "1/h"}
    contact = {"mode": "in_person", "first_name": "Camille", "last_name": "Usager"}
    contact |= {"email": "camille@example.fr"}
    answers = []
    for hour in (9, 10):
        held = client_a.post(
            f"/rendez-vous/type/{rdv_a.kind.pk}/retenir/",
            {"debut": at(MONDAY, hour).isoformat(), "lieu": rdv_a.place.pk},
        )
        answers.append(client_a.post(held["Location"], contact))
    assert answers[0].status_code == 302
    assert answers[1].status_code == 429 and "Trop de tentatives" in answers[1].content.decode()
    assert Appointment.objects.filter(status="booked").count() == 1


def test_default_limits_stop_a_burst_of_anonymous_bookings(rdv_a, client_a):
    statuses = [
        _book(client_a, rdv_a, 9 + (n % 3), f"cible{n}@example.fr").status_code for n in range(40)
    ]
    assert 429 in statuses
    assert Appointment.objects.filter(status="booked").count() <= 30


def test_a_forged_forwarded_for_header_does_not_escape_the_ip_limit(rdv_a, client_a, settings):
    settings.PORTAL_RATE_LIMITS = settings.PORTAL_RATE_LIMITS | {"booking:ip": "2/h"}
    statuses = [
        client_a.post(
            "/api/rendez-vous/reservations/",
            _payload(rdv_a, 9 + n, f"p{n}@example.fr"),
            content_type="application/json",
            HTTP_X_FORWARDED_FOR=f"10.0.0.{n}",
        ).status_code
        for n in range(3)
    ]
    assert statuses == [201, 201, 429]
