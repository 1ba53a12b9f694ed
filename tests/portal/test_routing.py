"""Requests are routed by host: operator on localhost, each member on its own host."""

from django.conf import settings


def test_each_member_host_shows_its_own_commune(client_a, client_b):
    page_a = client_a.get("/").content.decode()
    page_b = client_b.get("/").content.decode()
    assert "Commune A" in page_a and "Commune B" not in page_a
    assert "Commune B" in page_b and "Commune A" not in page_b


def test_operator_host_shows_the_operator_site(operator_client, tenant_a):
    response = operator_client.get("/")
    assert response.status_code == 200
    assert settings.OPERATOR_NAME in response.content.decode()
    assert "Commune A" in response.content.decode()  # the list of member communes


def test_unknown_host_gets_a_french_404_pointing_to_the_operator(client, operator):
    response = client.get("/", HTTP_HOST="inconnue.localhost")
    assert response.status_code == 404
    page = response.content.decode()
    assert "Aucun site à cette adresse" in page
    assert 'href="http://localhost:8000/"' in page
    assert "Traceback" not in page


def test_unknown_path_gets_a_french_404(client_a):
    response = client_a.get("/nulle-part/")
    assert response.status_code == 404
    assert "Page introuvable" in response.content.decode()


def test_operator_pages_are_not_served_on_member_hosts(client_a, user_factory):
    client_a.force_login(user_factory(is_platform_admin=True))
    assert client_a.get("/operateur/").status_code == 404


def test_archived_member_answers_with_the_closed_page(client_a, tenant_a):
    tenant_a.status = tenant_a.Status.ARCHIVED
    tenant_a.save(update_fields=["status"])
    response = client_a.get("/")
    assert response.status_code == 410
    assert "Ce service est fermé" in response.content.decode()


def test_openapi_schema_is_served_on_both_kinds_of_host(client_a, operator_client):
    for client in (client_a, operator_client):
        response = client.get("/api/schema/")
        assert response.status_code == 200
        assert b"openapi" in response.content
