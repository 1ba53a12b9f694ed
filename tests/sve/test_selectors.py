"""The forms online as visitors' pages list them (sve.selectors.forms_online_cached): read
from the commune's cache, shown at once when a form goes online, offline or changes."""

import pytest

from sve import services
from tests.conftest import in_tenant
from tests.sve.conftest import enabled_form, make_form

pytestmark = pytest.mark.django_db


def test_the_catalogue_page_reads_nothing_but_its_host_once_cached(
    tenant_a, client_a, django_assert_num_queries
):
    with in_tenant(tenant_a):
        enabled_form()
        enabled_form(slug="autre-demande")
    client_a.get("/demarches/")  # fills the commune's cached list
    # The host's collectivité (SET search_path and the domain), as every page; no more.
    with django_assert_num_queries(2):
        html = client_a.get("/demarches/").content.decode()
    assert html.count("/demarches/formulaire/") == 2


def test_a_form_going_online_changing_or_offline_shows_at_once(
    tenant_a, client_a, client_b, django_capture_on_commit_callbacks
):
    def pages(client=client_a):
        return client.get("/demarches/").content.decode() + client.get("/").content.decode()

    assert "Demande de test" not in pages()  # fills the cache with an empty list
    with in_tenant(tenant_a), django_capture_on_commit_callbacks(execute=True):
        form = make_form()
        services.form_enable(form=form, acting_user=None, enabled=True)
    html = pages()
    assert (
        html.count("Demande de test") == 2 and 'href="/demarches/formulaire/demande-test/"' in html
    )
    assert "Demande de test" not in pages(client_b)  # another commune's cache

    with in_tenant(tenant_a), django_capture_on_commit_callbacks(execute=True):
        services.form_version_publish(form=form, acting_user=None, title="Demande renommée")
    html = pages()
    assert "Demande renommée" in html and "Demande de test" not in html

    with in_tenant(tenant_a), django_capture_on_commit_callbacks(execute=True):
        services.form_enable(form=form, acting_user=None, enabled=False)
    assert "Demande renommée" not in pages()
