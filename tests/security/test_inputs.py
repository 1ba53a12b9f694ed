"""Bad input answers a clear French error, never a 500 (issue 8, "What was seen" item 6)."""

import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.test import Client
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


# --- Issue 22 item 4: malformed input answered 500; now 400 at one depth (portal.inputs) ---


@pytest.fixture
def sso_client_id(tenant_a):
    from identity.services.sso import sso_client_id, sso_clients_sync

    sso_clients_sync()
    return sso_client_id(host="test-a.localhost")


def _signed_in(host: str, user) -> Client:
    client = Client(HTTP_HOST=host)
    client.force_login(user)
    return client


@pytest.fixture
def visitor(tenant_a, operator, form, user_factory, member_factory):
    """A client for a kind of visitor of the URLs below, on the host they visit."""
    from support.models import DeskMember

    def make(who: str) -> Client:
        if who == "citizen":
            return Client(HTTP_HOST="test-a.localhost")
        if who == "referent":
            referent = member_factory(tenant_a, role=Membership.Role.ADMIN)
            return _signed_in("test-a.localhost", referent)
        user = user_factory(is_platform_admin=who == "platform_admin", is_finance=who == "finance")
        if who == "desk":
            DeskMember.objects.create(user=user)
        return _signed_in("localhost", user)

    return make


NUL_URLS = [
    ("citizen", "/demarches/suivi/%00/"),
    ("citizen", "/demarches/formulaire/demande-test/?brouillon=%00"),
    ("citizen", "/rendez-vous/reservation/%00/"),
    ("citizen", "/rendez-vous/?q=%00"),
    ("referent", "/gestion/assistance/%00/"),
    ("platform_admin", "/operateur/?q=%00"),
    ("platform_admin", "/operateur/?departement=%00"),
    ("platform_admin", "/operateur/?statut=%00&application=%00"),
    ("platform_admin", "/operateur/courriels/?q=%00"),
    ("finance", "/facturation/membres/?q=%00"),
    ("desk", "/operateur/assistance/?statut=%00"),
]


@pytest.mark.parametrize("who, url", NUL_URLS)
def test_a_nul_byte_in_a_path_or_query_is_a_french_400_page(visitor, who, url):
    response = visitor(who).get(url)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert "caractère invalide" in response.content.decode()


def test_a_nul_byte_in_a_form_field_is_a_400_before_the_view(tenant_a, form, client_a):
    response = client_a.post(
        "/demarches/formulaire/demande-test/", {"action": "deposer", "brouillon": "\x00"}
    )
    assert response.status_code == 400 and "caractère invalide" in response.content.decode()
    named = client_a.post("/demarches/formulaire/demande-test/", {"\x00": "a"})
    assert named.status_code == 400
    with in_tenant(tenant_a):
        assert not Request.objects.exists()


def test_a_nul_byte_in_a_cookie_is_a_400(tenant_a, client_a):
    client_a.cookies["sessionid"] = "abcdefgh\x00ijkl"
    assert client_a.get("/").status_code == 400


def test_a_nul_byte_in_the_api_is_a_json_400(rdv, client_a):
    response = client_a.get("/api/rendez-vous/types/", {"q": "\x00"})
    assert response.status_code == 400
    assert response.json()["detail"].startswith("La requête contient un caractère invalide")
    body = '{"link": "a\\u0000b"}'
    posted = client_a.post("/api/rendez-vous/annulations/", body, content_type="application/json")
    assert posted.status_code == 400 and "caractère invalide" in posted.json()["detail"]


@pytest.mark.parametrize("raw", [rb'"\\u0000"', rb'"\\ud800"', rb'"\\\\"', rb'"a\\"'])
def test_escaped_backslashes_are_not_mistaken_for_escapes(raw):
    """JSON ``"\\u0000"`` is a backslash followed by "u0000": plain text."""
    from portal.inputs import json_refusal

    assert json_refusal(raw) is None


@pytest.mark.parametrize(
    "raw", [b'"\\u0000"', b'"\\ud800"', b'"\\udc00x"', b'"a\\uD83D"', b'["\\ud800\\ud800"]']
)
def test_nul_and_lone_surrogates_escaped_in_json_are_refused(raw):
    from portal.inputs import json_refusal

    assert json_refusal(raw) is not None
    assert json_refusal(b'"\\ud83d\\ude00 \\u00e9"') is None  # a real pair, an é


GROUP_FIELDS = [
    {"name": "objet", "label": "Objet", "type": "text", "required": True},
    {
        "name": "enfants",
        "label": "Enfants",
        "type": "group",
        "max_rows": 3,
        "subfields": [{"name": "prenom", "label": "Prénom", "type": "text"}],
    },
]
ODD_NUMBERS = ["²", "٣", "9" * 5000, "-1", "1e3"]


@pytest.fixture
def group_form(tenant_a):
    with in_tenant(tenant_a):
        return enabled_form(slug="enfants", fields=GROUP_FIELDS)


@pytest.mark.parametrize("value", ODD_NUMBERS)
def test_odd_row_counts_and_row_buttons_of_a_repeatable_group(group_form, client_a, value):
    url = "/demarches/formulaire/enfants/"
    base = {"f-objet": "Livret", "f-enfants__0__prenom": "Léa"}
    counted = client_a.post(url, {**base, "action": "ajouter:enfants", "f-enfants__rows": value})
    assert counted.status_code == 200
    removed = client_a.post(url, {**base, "action": f"supprimer:enfants:{value}"})
    assert removed.status_code == 200 and 'value="Léa"' in removed.content.decode()
    api = client_a.post(
        "/api/sve/formulaires/enfants/demandes/",
        {**IDENTITY, "data": {"objet": "Livret", "enfants__rows": value}},
        content_type="application/json",
    )
    assert api.status_code in (201, 400)


@pytest.mark.parametrize("value", ODD_NUMBERS)
def test_odd_indices_in_the_builders_row_buttons(admin_client, value):
    response = admin_client.post(
        "/demarches/gestion/formulaires/nouveau/",
        {"champs-0-label": "Motif", "champs-0-type": "text", "action": f"champ-supprimer:{value}"},
    )
    assert response.status_code == 200
    assert 'value="Motif"' in response.content.decode()  # nothing was removed


@pytest.mark.parametrize("value", ODD_NUMBERS)
def test_odd_years_in_the_titres_api(visitor, value):
    response = visitor("finance").get("/api/facturation/titres/", {"year": value})
    assert response.status_code == 200


@pytest.mark.parametrize("value", ["²", "٣", "9" * 5000])
def test_odd_months_in_the_desks_report(visitor, value):
    page = visitor("desk").get("/operateur/assistance/rapport/", {"annee": value, "mois": value})
    assert page.status_code == 200


@pytest.mark.parametrize(
    "value, expected",
    [("12", 12), (" 12 ", 12), ("0", 0), ("²", None), ("٣", None), ("9" * 5000, None)]
    + [("-1", None), ("1e3", None), ("+3", None), ("", None), (None, None), ("101", None)],
)
def test_one_number_parser_accepts_ascii_digits_within_bounds(value, expected):
    from portal.inputs import number

    assert number(value, low=0, high=100) == expected


def test_json_nested_five_thousand_levels_is_a_400(rdv, client_a):
    deep = "[" * 5000 + "]" * 5000
    response = client_a.post(
        "/api/rendez-vous/reservations/", deep, content_type="application/json"
    )
    assert response.status_code == 400
    assert "imbriqué" in response.json()["detail"]
    # A body nested as deep as any real one passes through.
    body = {"type_id": rdv.kind.pk, "extra": [[[[{"a": [1]}]]]]}
    response = client_a.post(
        "/api/rendez-vous/reservations/", body, content_type="application/json"
    )
    assert response.status_code == 400 and "imbriqué" not in response.content.decode()


def test_a_json_body_over_the_apis_size_is_a_413(rdv, client_a, settings):
    settings.API_JSON_MAX_BYTES = 1000
    body = '{"first_name": "' + "a" * 2000 + '"}'
    response = client_a.post(
        "/api/rendez-vous/reservations/", body, content_type="application/json"
    )
    assert response.status_code == 413 and "trop volumineux" in response.json()["detail"]


def test_a_logout_redirect_the_provider_cannot_parse_is_refused(operator, sso_client_id):
    response = Client(HTTP_HOST="localhost").get(
        "/o/logout/",
        {
            "post_logout_redirect_uri": "http://briancon.localhost:8000.evil.example/",
            "client_id": sso_client_id,
        },
    )
    assert response.status_code == 400
    unknown = Client(HTTP_HOST="localhost").get(
        "/o/logout/",
        {"post_logout_redirect_uri": "http://test-a.localhost/", "client_id": "inconnu"},
    )
    assert unknown.status_code == 400


class _CountingBody:
    """A request body of ``size`` bytes made as it is read, counting what was read."""

    def __init__(self, size: int):
        self.size, self.read_bytes = size, 0

    def read(self, count: int = -1) -> bytes:
        left = self.size - self.read_bytes
        count = left if count is None or count < 0 else min(count, left)
        self.read_bytes += count
        return b"\0" * count

    def readline(self, *args) -> bytes:
        return self.read(*args)


@pytest.mark.parametrize(
    "path, content_type",
    [
        ("/demarches/formulaire/demande-test/", "multipart/form-data; boundary=xyz"),
        ("/api/sve/formulaires/demande-test/demandes/", "application/json"),
    ],
)
def test_a_120_mb_upload_is_refused_before_it_is_read(form, client_a, path, content_type):
    """Issue 22: a 120 MB upload was read whole before being refused."""
    body = _CountingBody(120 * 1024 * 1024)
    response = client_a.generic(
        "POST", path, b"x", content_type=content_type,
        **{"wsgi.input": body, "CONTENT_LENGTH": str(body.size)},
    )  # fmt: skip
    assert response.status_code == 413 and body.read_bytes == 0
    assert "trop volumineux" in response.content.decode()
