"""Bad input answers a clear French error, never a 500 (issue 8, "What was seen" item 6)."""

import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from rest_framework.test import APIClient

from rendezvous.models import AppointmentType, RendezvousSettings
from sve import catalogue
from sve.models import Document, Request
from tenants.models import Membership
from tests.conftest import PASSWORD, in_tenant
from tests.rendezvous.conftest import make_setup
from tests.sve.conftest import PDF, enabled_form

pytestmark = pytest.mark.django_db


@pytest.fixture
def rdv(tenant_a, member_factory):
    agent = member_factory(tenant_a, first_name="Agnès", last_name="Agent")
    setup = make_setup(tenant_a, [agent])
    return setup


@pytest.fixture
def admin_client(client_a, tenant_a, member_factory):
    admin = member_factory(tenant_a, role=Membership.Role.ADMIN)
    assert client_a.login(username=admin.email, password=PASSWORD)
    return client_a


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "2026-02-30", "x"])
def test_slot_searches_with_absurd_dates(rdv, client_a, day):
    assert client_a.get("/rendez-vous/", {"date": day, "q": "passeport"}).status_code == 200
    assert client_a.get(f"/rendez-vous/type/{rdv.kind.pk}/", {"date": day}).status_code == 200
    api = client_a.get(f"/api/rendez-vous/types/{rdv.kind.pk}/creneaux/", {"start": day})
    assert api.status_code == 400 and api.json()["detail"]
    api = client_a.get(
        f"/api/rendez-vous/types/{rdv.kind.pk}/creneaux/", {"start": "2026-12-01", "end": day}
    )
    assert api.status_code == 400


def test_huge_ids_in_queries_are_ignored_or_refused(rdv, client_a):
    huge = "9" * 30
    assert client_a.get("/rendez-vous/", {"lieu": huge}).status_code == 200
    assert client_a.get(f"/rendez-vous/type/{rdv.kind.pk}/", {"lieu": huge}).status_code == 200
    slots = client_a.get(f"/api/rendez-vous/types/{rdv.kind.pk}/creneaux/", {"place": huge})
    assert slots.status_code == 200
    body = {"type_id": huge, "place_id": 1, "starts_at": "2026-12-07T09:00:00+01:00"}
    body |= {"mode": "in_person", "first_name": "A", "last_name": "B", "email": "a@example.fr"}
    booked = client_a.post("/api/rendez-vous/reservations/", body, content_type="application/json")
    assert booked.status_code == 400


@pytest.fixture
def form(tenant_a):
    with in_tenant(tenant_a):
        return enabled_form()


API = "/api/sve/formulaires/demande-test/demandes/"
IDENTITY = {"last_name": "Api", "first_name": "Cli", "postal_address": "3 rue"}
IDENTITY |= {"email": "api@example.fr"}


@pytest.mark.parametrize("data", [["objet"], 12, "pas du json", {"objet": {"a": 1}}])
def test_the_filing_api_refuses_data_of_the_wrong_shape(tenant_a, form, data):
    response = APIClient(HTTP_HOST="test-a.localhost").post(
        API, {**IDENTITY, "data": data}, format="json"
    )
    assert response.status_code == 400, response.content
    assert "data" in response.json()["detail"]
    with in_tenant(tenant_a):
        assert not Request.objects.exists()


@pytest.mark.parametrize("body", [[1, 2], "texte", 3])
def test_the_filing_api_refuses_a_body_that_is_no_object(tenant_a, form, body):
    response = APIClient(HTTP_HOST="test-a.localhost").post(API, body, format="json")
    assert response.status_code == 400


def test_a_json_string_with_a_lone_surrogate_is_a_400(tenant_a, form, client_a):
    raw = '{"last_name": "\\ud800", "first_name": "a", "postal_address": "b", '
    raw += '"email": "a@example.fr", "data": {"objet": "\\udfff"}}'
    response = client_a.post(API, raw, content_type="application/json")
    assert response.status_code == 400
    assert "caractère invalide" in response.json()["detail"]
    booking = client_a.post(
        "/api/rendez-vous/annulations/", '{"link": "\\ud800"}', content_type="application/json"
    )
    assert booking.status_code == 400


@pytest.mark.parametrize(
    "field, value",
    [
        ("max_delay_days", 3_000_000),
        ("min_delay_hours", 2**31 - 1),
        ("cancellable_until_hours", 2**31 - 1),
        ("duration_minutes", 2**31 - 1),
        ("buffer_minutes", 2**31 - 1),
    ],
)
def test_appointment_type_delays_are_bounded_in_the_form_and_the_database(
    rdv, admin_client, field, value
):
    kind = rdv.kind
    page = admin_client.get(f"/rendez-vous/gestion/configuration/types/{kind.pk}/")
    form = page.context["form"]
    data = {name: form[name].value() for name in form.fields}
    data = {k: v for k, v in data.items() if v is not None}
    data["modes"] = kind.modes
    data["service"] = kind.service_id
    data[field] = value
    response = admin_client.post(f"/rendez-vous/gestion/configuration/types/{kind.pk}/", data)
    assert response.status_code in (200, 400)
    assert "Assurez-vous que cette valeur est inférieure ou égale" in response.content.decode()
    with in_tenant(rdv.tenant):
        assert getattr(AppointmentType.objects.get(pk=kind.pk), field) != value
        with pytest.raises(IntegrityError), transaction.atomic():
            AppointmentType.objects.filter(pk=kind.pk).update(**{field: value})


def test_reminder_hours_are_bounded_in_the_form_and_the_database(rdv, admin_client):
    response = admin_client.post(
        "/rendez-vous/gestion/reglages/", {"visio_base_url": "", "reminder_hours": 2**31 - 1}
    )
    assert "inférieure ou égale à 720" in response.content.decode()
    with in_tenant(rdv.tenant):
        row = RendezvousSettings.current()
        assert row.reminder_hours == 48
        with pytest.raises(IntegrityError), transaction.atomic():
            RendezvousSettings.objects.filter(pk=row.pk).update(reminder_hours=2**31 - 1)


def _png(width: int, height: int) -> bytes:
    """A real PNG of ``width`` × ``height`` 1-bit pixels, all black (it compresses well)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    row = b"\x00" + b"\x00" * ((width + 7) // 8)
    compressor = zlib.compressobj(9)
    idat = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")
    )


def test_a_decompression_bomb_logo_is_a_french_form_error(admin_client):
    bomb = _png(20000, 20000)
    assert len(bomb) < 1024 * 1024  # under the size limit: only its dimensions betray it
    page = admin_client.get("/gestion/apparence/")
    assert page.status_code == 200
    response = admin_client.post(
        "/gestion/apparence/",
        {
            "primary_color": "#000091",
            "logo": SimpleUploadedFile("logo.png", bomb, content_type="image/png"),
        },
    )
    assert response.status_code in (200, 400)
    assert "Le logo est bien trop grand" in response.content.decode()


def test_a_big_but_not_bomb_logo_is_refused_by_its_dimensions(admin_client):
    response = admin_client.post(
        "/gestion/apparence/",
        {
            "primary_color": "#000091",
            "logo": SimpleUploadedFile("logo.png", _png(9000, 9000), content_type="image/png"),
        },
    )
    assert "9000 × 9000 pixels" in response.content.decode()


def test_sve_uploads_store_the_detected_content_type(tenant_a, form, client_a):
    response = client_a.post(
        "/demarches/formulaire/demande-test/",
        {
            "action": "deposer",
            "f-objet": "Ma demande",
            "f-piece": SimpleUploadedFile("a.pdf", PDF, content_type="text/html"),
            "id-last_name": "Durand",
            "id-first_name": "Alix",
            "id-postal_address": "2 place",
            "id-email": "alix@example.fr",
        },
    )
    assert response.status_code == 302
    with in_tenant(tenant_a):
        assert Document.objects.get(kind=Document.Kind.UPLOAD).content_type == "application/pdf"


def test_a_number_of_copies_is_at_least_one(tenant_a):
    from sve.fields import build_form_class

    fields = catalogue.TEMPLATES["acte-naissance"]["fields"]
    data_form = build_form_class(fields)
    bound = data_form({"nombre": "-5"})
    assert not bound.is_valid()
    assert "supérieure ou égale à 1" in " ".join(bound.errors["nombre"])
    assert "nombre" not in data_form({"nombre": "2"}).errors


@pytest.mark.parametrize("value", ["²", "-1", "0", "9" * 30, "1e3", " 12 "])
def test_row_ids_from_visitors_are_plain_bounded_digits(value):
    from portal.inputs import row_id

    assert row_id(value) == (12 if value == " 12 " else None)


def test_odd_ids_in_the_agents_dashboard_and_holds(rdv, form, admin_client):
    for value in ("²", "9" * 30):
        page = admin_client.get("/demarches/gestion/", {"agent": value})
        assert page.status_code == 200
        bulk = admin_client.post("/demarches/gestion/lot/", {"ids": [value], "agent": value})
        assert bulk.status_code in (200, 302, 400)
    held = admin_client.post(
        f"/rendez-vous/type/{rdv.kind.pk}/retenir/",
        {"debut": "9999-12-31T23:59", "lieu": rdv.place.pk},
    )
    assert held.status_code == 302 and "/type/" in held["Location"]
