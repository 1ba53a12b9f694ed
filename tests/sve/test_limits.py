"""Filing limits (issue 8): per IP and per account, pages (429 page) and API (429 JSON), in
French, counted in the real Redis."""

import pytest
from rest_framework.test import APIClient

from sve.models import Request
from tests.conftest import in_tenant

pytestmark = pytest.mark.django_db


def _identity(email="alix@example.fr"):
    return {
        "id-last_name": "Durand",
        "id-first_name": "Alix",
        "id-postal_address": "2 place de l'Église",
        "id-email": email,
    }


def _file_page(client, email):
    return client.post(
        "/demarches/formulaire/demande-test/",
        {"action": "deposer", "f-objet": "Ma demande", **_identity(email)},
    )


def test_filing_pages_are_limited_per_address_then_per_ip(client_a, tenant_a, form_a, settings):
    settings.PORTAL_RATE_LIMITS = settings.PORTAL_RATE_LIMITS | {
        "filing:ip": "4/h",
        "filing:account": "2/h",
    }
    assert _file_page(client_a, "a@example.fr").status_code == 302
    assert _file_page(client_a, "a@example.fr").status_code == 302
    refused = _file_page(client_a, "A@example.fr")
    assert refused.status_code == 429 and "Trop de tentatives" in refused.content.decode()
    assert _file_page(client_a, "b@example.fr").status_code == 302
    assert _file_page(client_a, "c@example.fr").status_code == 429  # the IP's 5th
    with in_tenant(tenant_a):
        assert Request.objects.count() == 3


def test_filing_api_is_limited_with_a_french_json_429(tenant_a, form_a, settings):
    settings.PORTAL_RATE_LIMITS = settings.PORTAL_RATE_LIMITS | {"filing:account": "2/h"}
    client = APIClient(HTTP_HOST="test-a.localhost")
    body = {
        "last_name": "Api",
        "first_name": "Cli",
        "postal_address": "3 rue",
        "email": "api@example.fr",
        "data": {"objet": "Par l'API"},
    }
    url = "/api/sve/formulaires/demande-test/demandes/"
    assert client.post(url, body, format="json").status_code == 201
    assert client.post(url, body, format="json").status_code == 201
    refused = client.post(url, body, format="json")
    assert refused.status_code == 429 and refused["Retry-After"]
    assert refused.json() == {
        "detail": "Trop de tentatives : patientez quelques minutes avant de réessayer.",
        "code": "throttled",
    }
    # Reading is not counted.
    assert client.get("/api/sve/formulaires/").status_code == 200
    with in_tenant(tenant_a):
        assert Request.objects.count() == 2


def test_an_empty_limit_means_no_limit_on_pages_and_api(client_a, tenant_a, form_a, settings):
    settings.PORTAL_RATE_LIMITS = settings.PORTAL_RATE_LIMITS | {
        "filing:ip": "",
        "filing:account": "",
    }
    client = APIClient(HTTP_HOST="test-a.localhost")
    body = {
        "last_name": "Api",
        "first_name": "Cli",
        "postal_address": "3 rue",
        "email": "api@example.fr",
        "data": {"objet": "Par l'API"},
    }
    url = "/api/sve/formulaires/demande-test/demandes/"
    assert [client.post(url, body, format="json").status_code for _ in range(3)] == [201] * 3
    assert _file_page(client_a, "a@example.fr").status_code == 302
    with in_tenant(tenant_a):
        assert Request.objects.count() == 4


def test_pages_and_api_share_one_filing_counter(client_a, tenant_a, form_a, settings):
    """Issue 22: pages and API counted separately, 60 an hour where 30 is documented."""
    settings.PORTAL_RATE_LIMITS = settings.PORTAL_RATE_LIMITS | {
        "filing:ip": "3/h",
        "filing:account": "2/h",
    }
    api = APIClient(HTTP_HOST="test-a.localhost")
    url = "/api/sve/formulaires/demande-test/demandes/"
    body = {"last_name": "Api", "first_name": "Cli", "postal_address": "3 rue"}
    assert _file_page(client_a, "a@example.fr").status_code == 302
    # The same address through the API: its second filing, its last.
    assert (
        api.post(
            url, body | {"email": "a@example.fr", "data": {"objet": "x"}}, format="json"
        ).status_code
        == 201
    )
    assert (
        api.post(
            url, body | {"email": "A@example.fr", "data": {"objet": "x"}}, format="json"
        ).status_code
        == 429
    )
    # The IP's third filing (the refused one counted too): the page refuses the fourth.
    assert _file_page(client_a, "b@example.fr").status_code == 429
    with in_tenant(tenant_a):
        assert Request.objects.count() == 2
