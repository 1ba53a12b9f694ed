"""The pages every commune site must carry, written from its settings, and the
Content-Security-Policy every page is served with."""

import pytest
from django.test import Client

from tenants.models import Collectivite, Membership

pytestmark = pytest.mark.django_db


def test_legal_pages_are_written_from_the_communes_settings(tenant_a, client_a, settings):
    settings.PORTAL_HOSTING = "Hébergeur Alpin SAS, 1 route du Col, 05000 Gap, 04 92 00 00 01"
    Collectivite.objects.filter(pk=tenant_a.pk).update(
        contact_address="1 place de la Mairie\n05100 Commune A",
        contact_phone="04 92 21 00 00",
        contact_email="mairie@commune-a.fr",
        dpo_name="Service DPO mutualisé",
        dpo_email="dpo@commune-a.fr",
        publication_director="Marie Durand, maire",
        accessibility_status=Collectivite.Accessibility.PARTIAL,
        accessibility_audit="Audit du 3 mars 2026 par Access42 : 82 % des critères respectés.",
    )
    mentions = client_a.get("/mentions-legales/").content.decode()
    assert "Marie Durand, maire" in mentions and "04 92 21 00 00" in mentions
    assert "Hébergeur Alpin SAS, 1 route du Col" in mentions
    privacy = client_a.get("/donnees-personnelles/").content.decode()
    assert "Service DPO mutualisé" in privacy and "mailto:dpo@commune-a.fr" in privacy
    assert "CNIL" in privacy and "sous-traitant" in privacy
    accessibility = client_a.get("/accessibilite/").content.decode()
    assert "<strong>partiellement conforme</strong>" in accessibility
    assert "82 % des critères respectés" in accessibility
    assert "Défenseur des droits" in accessibility
    # Every page links to them, with the compliance status (RGAA).
    home = client_a.get("/").content.decode()
    for link in ("/mentions-legales/", "/donnees-personnelles/", "/accessibilite/"):
        assert f'href="{link}"' in home
    assert "Accessibilité : partiellement conforme" in home


def test_without_an_audit_the_site_says_it_is_not_compliant(tenant_b, client_b):
    page = client_b.get("/accessibilite/").content.decode()
    assert "<strong>non conforme</strong>" in page and "faute d'audit" in page
    assert "Le maire de Commune B" in client_b.get("/mentions-legales/").content.decode()


def test_the_operators_host_has_no_commune_legal_pages(operator):
    assert Client(HTTP_HOST="localhost").get("/accessibilite/").status_code == 404


def test_the_admin_sets_the_legal_settings_on_the_look_page(tenant_a, member_factory, client_a):
    client_a.force_login(member_factory(tenant_a, role=Membership.Role.ADMIN))
    response = client_a.post(
        "/gestion/apparence/",
        {
            "primary_color": "#1f5c3a",
            "publication_director": "Marie Durand, maire",
            "accessibility_status": "full",
            "accessibility_audit": "Audit de janvier 2026 : 100 %.",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    tenant_a.refresh_from_db()
    assert tenant_a.publication_director == "Marie Durand, maire"
    assert tenant_a.accessibility_status == "full"


def test_every_page_forbids_inline_scripts_and_styles(tenant_a, client_a):
    policy = client_a.get("/")["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert "unsafe-inline" not in policy
