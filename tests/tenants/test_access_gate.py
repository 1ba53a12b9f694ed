"""One gate for suspension and archiving (issue 8), tried on EVERY route of a member's host:
the URL resolver is walked, so a route added later is tried too."""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.views import APIView

from tenants.models import Collectivite

ARG = re.compile(r"<(?:(\w+):)?(\w+)>")


def _walk(patterns, prefix=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry.callback


def _concrete(route: str) -> str:
    return "/" + ARG.sub(lambda m: "1" if m.group(1) == "int" else "x", route)


ROUTES = sorted(_walk(get_resolver("portal.urls_tenant").url_patterns), key=lambda r: r[0])


def _is_api(callback) -> bool:
    view_class = getattr(callback, "cls", None)
    return view_class is not None and issubclass(view_class, APIView)


API_ROUTES = [(route, cb) for route, cb in ROUTES if _is_api(cb)]
STAFF_PAGES = [(route, cb) for route, cb in ROUTES if getattr(cb, "staff_only", False)]


def test_the_walk_finds_the_known_routes():
    api = {route for route, _ in API_ROUTES}
    assert "api/sve/demandes/<int:pk>/qualifier/" in api
    assert "api/rendez-vous/deplacements/" in api
    assert len(API_ROUTES) >= 11 and len(STAFF_PAGES) >= 20


@pytest.mark.parametrize("route", [route for route, _ in ROUTES if "gestion/" in route])
def test_every_back_office_page_is_behind_the_gate(route):
    callback = dict(ROUTES)[route]
    assert getattr(callback, "staff_only", False), f"{route} is not under member_required"


@pytest.fixture
def suspended(tenant_a):
    Collectivite.objects.filter(pk=tenant_a.pk).update(
        status=Collectivite.Status.SUSPENDED, suspension_reason="Mise en demeure restée sans effet"
    )
    return tenant_a


@pytest.fixture
def agent_client(client_a, tenant_a, member_factory):
    from tenants.models import Membership
    from tests.conftest import PASSWORD

    agent = member_factory(tenant_a, role=Membership.Role.ADMIN)
    assert client_a.login(username=agent.email, password=PASSWORD)
    return client_a


@pytest.mark.parametrize("route", [route for route, _ in API_ROUTES])
@pytest.mark.parametrize("method", ["get", "post"])
def test_a_suspended_communes_api_refuses_its_staff_on_every_route(
    suspended, agent_client, route, method
):
    response = getattr(agent_client, method)(_concrete(route), content_type="application/json")
    assert response.status_code == 403, (route, response.content)
    body = response.json()
    assert body["code"] == "suspended" and "suspendu" in body["detail"]
    assert "Mise en demeure" in body["detail"]


@pytest.mark.parametrize("route", [route for route, _ in STAFF_PAGES])
@pytest.mark.parametrize("method", ["get", "post"])
def test_a_suspended_communes_back_office_refuses_its_staff_on_every_page(
    suspended, agent_client, route, method
):
    response = getattr(agent_client, method)(_concrete(route))
    assert response.status_code == 403, route
    assert "L'accès au back-office est suspendu" in response.content.decode()


def test_a_suspended_commune_keeps_its_public_side_for_citizens(suspended, client_a):
    assert client_a.get("/").status_code == 200
    assert client_a.get("/demarches/").status_code == 200
    assert client_a.get("/rendez-vous/").status_code == 200
    assert client_a.get("/api/sve/formulaires/").status_code == 200
    assert client_a.get("/api/rendez-vous/types/").status_code == 200


def test_another_communes_agent_is_not_told_about_the_suspension(
    suspended, tenant_b, member_factory, client_a
):
    from tests.conftest import PASSWORD

    outsider = member_factory(tenant_b)
    client_a.login(username=outsider.email, password=PASSWORD)
    assert client_a.get("/demarches/gestion/demandes/1/").status_code == 404


@pytest.mark.parametrize("route", [route for route, _ in ROUTES])
def test_an_archived_commune_answers_410_on_every_route(tenant_a, client_a, route):
    Collectivite.objects.filter(pk=tenant_a.pk).update(status=Collectivite.Status.ARCHIVED)
    response = client_a.get(_concrete(route))
    assert response.status_code == 410, route
    if route.startswith("api/"):
        assert response.json()["code"] == "archived"
    else:
        assert "Ce service est fermé" in response.content.decode()
