"""Issue 24 §1: a page a citizen reaches from a commune keeps that commune's identity; staff
links for staff only; "Mes demandes" and "Mes rendez-vous" in the header's account menu."""

import re
from urllib.parse import quote

import pytest
from django.conf import settings

from tenants.models import Membership

pytestmark = pytest.mark.django_db


def _login_from(slug: str) -> str:
    authorize = f"/o/authorize/?response_type=code&client_id=commune-{slug}.localhost&state=x"
    return f"/comptes/connexion/?next={quote(authorize)}"


def _brand(html: str) -> str:
    return re.search(r'<span class="site-brand__name">([^<]*)</span>', html).group(1)


def test_the_login_page_a_commune_sends_to_wears_the_communes_name_look_and_links(
    operator_client, tenant_a, settings
):
    settings.PORTAL_PORT = "8600"
    tenant_a.primary_color = "#1d4e89"
    tenant_a.save(update_fields=["primary_color"])
    html = operator_client.get(_login_from("test-a")).content.decode()
    assert _brand(html) == "Commune A"
    assert ">localhost:8600<" not in html and "<title>Connexion</title>" in html
    assert 'href="/communes/test-a/theme.css?v=1d4e89"' in html
    # Password reset, sign-up and the legal pages are the commune's own, on its host.
    assert 'href="http://test-a.localhost:8600/comptes/mot-de-passe/oubli/"' in html
    assert 'href="http://test-a.localhost:8600/comptes/inscription/"' in html
    assert 'href="http://test-a.localhost:8600/mentions-legales/"' in html
    assert "Retour au site de Commune A" in html


def test_the_operators_own_login_page_names_the_operator_not_the_host(operator_client):
    html = operator_client.get("/comptes/connexion/").content.decode()
    assert _brand(html) == settings.OPERATOR_NAME
    assert 'href="/comptes/mot-de-passe/oubli/"' in html


def test_an_unknown_client_in_next_leaves_the_operators_identity(operator_client, tenant_a):
    html = operator_client.get(_login_from("nowhere")).content.decode()
    assert _brand(html) == settings.OPERATOR_NAME


def test_the_communes_look_is_served_on_the_operators_host_for_those_pages(
    operator_client, tenant_a
):
    tenant_a.primary_color = "#1d4e89"
    tenant_a.save(update_fields=["primary_color"])
    response = operator_client.get("/communes/test-a/theme.css")
    assert response.status_code == 200 and b"--" in response.content
    assert operator_client.get("/communes/nowhere/theme.css").status_code == 404
    assert operator_client.get("/communes/test-a/logo/").status_code == 404  # no logo yet


def test_password_reset_on_a_commune_keeps_the_commune(client_a):
    html = client_a.get("/comptes/mot-de-passe/oubli/").content.decode()
    assert _brand(html) == "Commune A"


def test_staff_links_are_shown_to_staff_only(client_a, tenant_a, user_factory, member_factory):
    citizen = user_factory()
    client_a.force_login(citizen)
    assert "Espace agents" not in client_a.get("/").content.decode()
    agent = member_factory(tenant_a, Membership.Role.AGENT)
    client_a.force_login(agent)
    assert "Espace agents" in client_a.get("/").content.decode()


def test_the_account_menu_leads_to_my_requests_and_appointments(client_a, user_factory):
    client_a.force_login(user_factory())
    html = client_a.get("/demarches/").content.decode()
    menu = html.split('aria-label="Menu principal"', 1)[1].split("</nav>", 1)[0]
    assert "Mes demandes" in menu and "Mes rendez-vous" in menu


def test_the_account_menu_is_not_shown_to_anonymous_visitors(client_a):
    html = client_a.get("/").content.decode()
    menu = html.split('aria-label="Menu principal"', 1)[1].split("</nav>", 1)[0]
    assert "Mes demandes" not in menu


def test_the_back_office_says_en_tant_qu_agent(client_a, tenant_a, member_factory):
    client_a.force_login(member_factory(tenant_a, Membership.Role.AGENT))
    page = client_a.get("/gestion/").content.decode()
    assert "en tant qu&#x27;agent" in page or "en tant qu'agent" in page
    assert "en tant que agent" not in page
