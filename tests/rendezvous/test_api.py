from datetime import timedelta

import pytest

from rendezvous.models import Appointment
from tests.conftest import in_tenant
from tests.rendezvous.conftest import MONDAY, NOW, at


@pytest.fixture(autouse=True)
def _frozen(time_machine):
    time_machine.move_to(NOW)


def _payload(setup, **changes):
    return {
        "type_id": setup.kind.pk,
        "place_id": setup.place.pk,
        "starts_at": at(MONDAY, 9).isoformat(),
        "mode": "visio",
        "first_name": "Camille",
        "last_name": "Usager",
        "email": "camille@example.fr",
    } | changes


def test_types_and_slots(rdv_a, client_a):
    types = client_a.get("/api/rendez-vous/types/", {"q": "identite"}).json()
    assert [t["name"] for t in types] == ["Dépôt de passeport"]
    slots = client_a.get(
        f"/api/rendez-vous/types/{rdv_a.kind.pk}/creneaux/",
        {"start": MONDAY.isoformat(), "end": MONDAY.isoformat()},
    ).json()
    assert len(slots) == 6
    assert slots[0]["place_id"] == rdv_a.place.pk
    bad = client_a.get(f"/api/rendez-vous/types/{rdv_a.kind.pk}/creneaux/", {"start": "demain"})
    assert bad.status_code == 400 and "AAAA-MM-JJ" in bad.json()["detail"]


def test_book_conflict_and_cancel(rdv_a, client_a):
    response = client_a.post(
        "/api/rendez-vous/reservations/", _payload(rdv_a), content_type="application/json"
    )
    assert response.status_code == 201, response.content
    link = response.json()["link"]
    again = client_a.post(
        "/api/rendez-vous/reservations/", _payload(rdv_a), content_type="application/json"
    )
    assert again.status_code == 409
    body = again.json()
    assert "vient d'être réservé" in body["detail"][0]
    assert body["proposals"][0]["starts_at"].startswith("2026-12-07T09:30")
    bad = client_a.post(
        "/api/rendez-vous/reservations/",
        _payload(rdv_a, email="non", starts_at=at(MONDAY, 10).isoformat()),
        content_type="application/json",
    )
    assert bad.status_code == 400 and "email" in bad.json()
    cancel = client_a.post(
        "/api/rendez-vous/annulations/", {"link": link}, content_type="application/json"
    )
    assert cancel.status_code == 200 and cancel.json()["status"] == "cancelled"
    tampered = client_a.post(
        "/api/rendez-vous/annulations/", {"link": link + "x"}, content_type="application/json"
    )
    assert tampered.status_code == 400
    with in_tenant(rdv_a.tenant):
        assert Appointment.objects.count() == 1


def test_endpoints_are_in_the_openapi_schema(rdv_a, client_a):
    schema = client_a.get("/api/schema/", {"format": "json"}).json()
    for path in (
        "/api/rendez-vous/types/",
        "/api/rendez-vous/types/{type_id}/creneaux/",
        "/api/rendez-vous/reservations/",
        "/api/rendez-vous/annulations/",
        "/api/rendez-vous/deplacements/",
    ):
        assert path in schema["paths"]


def _rebook(client, **data):
    return client.post("/api/rendez-vous/deplacements/", data, content_type="application/json")


def test_move_through_the_api(rdv_a, client_a, time_machine):
    first = client_a.post(
        "/api/rendez-vous/reservations/", _payload(rdv_a), content_type="application/json"
    ).json()
    link = first["link"]
    tampered = _rebook(client_a, link=link[:-1] + "x", starts_at=at(MONDAY, 10).isoformat())
    assert tampered.status_code == 400 and "pas valide" in tampered.json()["detail"]
    response = _rebook(client_a, link=link, starts_at=at(MONDAY, 10).isoformat(), mode="phone")
    assert response.status_code == 400 and "appellera" in response.json()["phone"][0]
    response = _rebook(client_a, link=link, starts_at=at(MONDAY, 10).isoformat())
    assert response.status_code == 201, response.content
    moved = response.json()
    assert moved["starts_at"].startswith("2026-12-07T10:00") and moved["mode"] == "visio"
    assert moved["link"] != link
    again = _rebook(client_a, link=link, starts_at=at(MONDAY, 11).isoformat())
    assert again.status_code == 400 and "n'est plus valable" in again.json()["detail"]
    with in_tenant(rdv_a.tenant):
        assert dict(Appointment.objects.values_list("status", "pk")) == {
            "cancelled": first["id"],
            "booked": moved["id"],
        }

    # The slot taken: 409 with fresh proposals, the booking unchanged.
    client_a.post(
        "/api/rendez-vous/reservations/",
        _payload(rdv_a, starts_at=at(MONDAY, 11).isoformat(), email="autre@example.fr"),
        content_type="application/json",
    )
    taken = _rebook(
        client_a, link=moved["link"], starts_at=at(MONDAY, 11).isoformat(), place_id=rdv_a.place.pk
    )
    assert taken.status_code == 409
    assert "vient d'être réservé" in taken.json()["detail"][0]
    assert taken.json()["proposals"][0]["starts_at"].startswith("2026-12-07T09:00")
    # Past the type's cancellation limit: a French error.
    time_machine.move_to(at(MONDAY, 10) - timedelta(hours=2))
    late = _rebook(client_a, link=moved["link"], starts_at=at(MONDAY, 11, 30).isoformat())
    assert late.status_code == 400 and "plus être déplacé en ligne" in late.json()["detail"][0]
    with in_tenant(rdv_a.tenant):
        assert Appointment.objects.get(pk=moved["id"]).status == "booked"
        assert Appointment.objects.count() == 3
