"""The progressive enhancement of repeatable groups, in Chromium: rows added and removed on
the page itself, so a file already chosen stays chosen; what is filed matches the page.

The browser runs in a thread of its own: tests/e2e's session browser may already hold this
thread's Playwright event loop, and its fixtures are not visible from here."""

import threading

import pytest

from sve.models import Document, Request
from tests.conftest import in_tenant
from tests.e2e.conftest import CHROMIUM
from tests.sve.conftest import PDF, enabled_form
from tests.sve.test_group_rows import FIELDS

pytestmark = pytest.mark.django_db(transaction=True)


def _in_browser(journey, *args):
    from playwright.sync_api import sync_playwright

    failures = []

    def run():
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
                )
                page = browser.new_context(locale="fr-FR").new_page()
                page.set_default_timeout(15_000)
                try:
                    journey(page, *args)
                finally:
                    browser.close()
        except BaseException as error:  # re-raised in the test's thread
            failures.append(error)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=120)
    if failures:
        raise failures[0]


def test_rows_added_and_removed_in_the_page_keep_the_chosen_file(live_server, tenant_a, tmp_path):
    with in_tenant(tenant_a):
        enabled_form(
            slug="enfants",
            fields=FIELDS + [{"name": "piece", "label": "Pièce", "type": "file"}],
        )
    piece = tmp_path / "piece.pdf"
    piece.write_bytes(PDF)
    port = live_server.url.rsplit(":", 1)[1]
    _in_browser(_journey, f"http://test-a.localhost:{port}/demarches/formulaire/enfants/", piece)
    with in_tenant(tenant_a):
        req = Request.objects.get()
        assert [row["prenom"] for row in req.data["enfants"]] == ["Alice", "Chloé"]
        assert req.documents.get(kind=Document.Kind.UPLOAD).filename == "piece.pdf"


def _journey(page, url, piece):
    page.goto(url)
    page.locator("#id_f-objet").fill("Livret")
    page.locator("#id_f-piece").set_input_files(str(piece))
    page.locator("#id_f-enfants__0__prenom").fill("Alice")
    add = page.get_by_role("button", name="Ajouter une ligne")
    add.click()
    page.locator("#id_f-enfants__1__prenom").fill("Bob")
    add.click()
    page.locator("#id_f-enfants__2__prenom").fill("Chloé")
    assert add.is_hidden()  # the group's maximum: 3 rows
    assert page.get_by_text("Nombre maximal de lignes atteint (3)").is_visible()
    page.get_by_role("button", name="Supprimer cette ligne").nth(1).click()  # Bob
    assert page.locator("#id_f-enfants__1__prenom").input_value() == "Chloé"
    assert page.locator("#id_f-enfants__2__prenom").count() == 0 and add.is_visible()
    assert page.get_by_text("Nombre maximal de lignes atteint (3)").is_hidden()
    assert page.locator("label[for=id_f-enfants__1__prenom]").inner_text().startswith("Enfants n°2")
    page.locator("#id_id-last_name").fill("Martin")
    page.locator("#id_id-first_name").fill("Claude")
    page.locator("#id_id-postal_address").fill("1 rue de la Mairie")
    page.locator("#id_id-email").fill("claude@example.fr")
    page.get_by_role("button", name="Déposer ma demande").click()
    page.wait_for_url("**/suivi/**")
