"""No appointment, slot or document of commune A is reachable from commune B."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from portal.audit.trail import ANONYMOUS
from rendezvous import links, services
from rendezvous.models import Appointment
from tests.conftest import PASSWORD, in_tenant
from tests.rendezvous.conftest import MONDAY, NOW, at

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _frozen(time_machine):
    time_machine.move_to(NOW)


@pytest.fixture
def booked_a(rdv_a, contact):
    rdv_a.activate()
    appointment = services.appointment_book(
        acting_user=ANONYMOUS,
        appointment_type=rdv_a.kind,
        place_id=rdv_a.place.pk,
        starts_at=at(MONDAY, 9),
        **(contact | {"mode": "visio"}),
    )
    doc = services.document_add(
        acting_user=ANONYMOUS,
        appointment=appointment,
        uploaded=SimpleUploadedFile("piece.pdf", PDF),
        author="citizen",
    )
    return appointment, doc


def test_agent_of_b_gets_404_on_a(booked_a, tenant_b, member_factory, client_b):
    appointment, doc = booked_a
    agent_b = member_factory(tenant_b)
    with in_tenant(tenant_b):
        assert not Appointment.objects.filter(pk=appointment.pk).exists()
    assert client_b.login(email=agent_b.email, password=PASSWORD)
    assert client_b.get(f"/rendez-vous/gestion/rdv/{appointment.pk}/").status_code == 404
    assert (
        client_b.get(f"/rendez-vous/gestion/rdv/{appointment.pk}/documents/{doc.pk}/").status_code
        == 404
    )
    agenda = client_b.get("/rendez-vous/gestion/", {"jour": MONDAY.isoformat(), "tous": "1"})
    assert appointment.visio_url not in agenda.content.decode()


def test_agent_of_a_cannot_use_b_back_office(booked_a, rdv_a, client_b):
    assert client_b.login(email=rdv_a.agent.email, password=PASSWORD)
    assert client_b.get("/rendez-vous/gestion/").status_code == 403


def test_links_and_slots_of_a_do_not_work_on_b(booked_a, rdv_a, client_b):
    appointment, doc = booked_a
    signed = links.link_sign(appointment=appointment)
    assert client_b.get(f"/rendez-vous/mon-rdv/{signed}/").status_code == 400
    assert client_b.get(f"/rendez-vous/mon-rdv/{signed}/documents/{doc.pk}/").status_code == 400
    assert client_b.get(f"/rendez-vous/type/{rdv_a.kind.pk}/").status_code == 404
    assert client_b.get(f"/api/rendez-vous/types/{rdv_a.kind.pk}/creneaux/").status_code == 404
    assert client_b.get("/api/rendez-vous/types/").json() == []
    response = client_b.post(
        "/api/rendez-vous/annulations/", {"link": signed}, content_type="application/json"
    )
    assert response.status_code == 400
    with in_tenant(rdv_a.tenant):
        appointment.refresh_from_db()
    assert appointment.status == "booked"


def test_rebook_link_of_a_does_nothing_on_b(booked_a, rdv_a, client_b, tenant_b):
    appointment, _ = booked_a
    signed = links.link_sign(appointment=appointment)
    assert client_b.get(f"/rendez-vous/mon-rdv/{signed}/reprendre/").status_code == 400
    held = client_b.post(
        f"/rendez-vous/mon-rdv/{signed}/reprendre/retenir/",
        {"debut": at(MONDAY, 10).isoformat(), "lieu": rdv_a.place.pk},
    )
    assert held.status_code == 400
    assert client_b.get(f"/rendez-vous/mon-rdv/{signed}/deplacer/x/").status_code == 400
    response = client_b.post(
        "/api/rendez-vous/deplacements/",
        {"link": signed, "starts_at": at(MONDAY, 10).isoformat()},
        content_type="application/json",
    )
    assert response.status_code == 400
    with in_tenant(tenant_b):
        assert not Appointment.objects.exists()
    with in_tenant(rdv_a.tenant):
        appointment.refresh_from_db()
        assert appointment.status == "booked"
        assert Appointment.objects.count() == 1
