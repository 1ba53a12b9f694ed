"""The commune's public home page (issue 11 §4): what it lists is read from the shared
cache, so a visit costs only the host's own lookup, and a change shows at once."""

import pytest
from django.contrib import admin
from django.test import RequestFactory

from conventions.models import Application

pytestmark = pytest.mark.django_db


def test_the_home_page_reads_nothing_but_its_host_once_cached(client_a, django_assert_num_queries):
    client_a.get("/")  # fills the caches: applications, forms, appointment types and places
    # The host's collectivité (django-tenants' middleware: SET search_path and the domain),
    # as every page; nothing else (the application catalogue was a third, issue 11 §4).
    with django_assert_num_queries(2):
        assert client_a.get("/").status_code == 200


def _admin_save(app: Application, captured) -> None:
    """What the technical administration does when it saves an application."""
    with captured(execute=True):
        admin.site._registry[Application].save_model(
            RequestFactory().post("/"), app, form=None, change=True
        )


def test_an_application_renamed_in_the_administration_shows_on_every_home_at_once(
    client_a, client_b, django_capture_on_commit_callbacks
):
    for client in (client_a, client_b):
        assert "Prise de rendez-vous" in client.get("/").content.decode()
    app = Application.objects.get(code="rendezvous")
    app.label = "Rendez-vous en mairie"
    _admin_save(app, django_capture_on_commit_callbacks)
    for client in (client_a, client_b):
        html = client.get("/").content.decode()
        assert "Rendez-vous en mairie" in html and "Prise de rendez-vous" not in html


def test_an_application_without_public_page_leaves_the_home_at_once(
    client_a, django_capture_on_commit_callbacks
):
    assert 'href="/demarches/"' in client_a.get("/").content.decode()
    app = Application.objects.get(code="sve")
    app.citizen_path = None
    _admin_save(app, django_capture_on_commit_callbacks)
    html = client_a.get("/").content.decode()
    assert "Démarches en ligne (SVE)" not in html
    # The SVE block itself (the commune's service) stays: only the catalogue card goes.
    assert "Toutes les démarches" in html


def test_the_home_lists_only_the_communes_own_services(tenant_a, client_a):
    tenant_a.services = ["sve"]
    tenant_a.save(update_fields=["services"])
    html = client_a.get("/").content.decode()
    assert "Démarches en ligne (SVE)" in html and "Prise de rendez-vous" not in html
