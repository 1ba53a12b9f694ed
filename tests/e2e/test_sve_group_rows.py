"""The progressive enhancement of repeatable groups, in Chromium: rows added and removed on
the page itself, so a file already chosen stays chosen; what is filed matches the page."""

import pytest

from sve.models import Document, Request
from tests.conftest import in_tenant
from tests.sve.conftest import PDF, enabled_form
from tests.sve.test_group_rows import FIELDS

pytestmark = pytest.mark.django_db(transaction=True)


def test_rows_added_and_removed_in_the_page_keep_the_chosen_file(
    page, site_url, tenant_a, tmp_path
):
    with in_tenant(tenant_a):
        enabled_form(
            slug="enfants",
            fields=FIELDS + [{"name": "piece", "label": "Pièce", "type": "file"}],
        )
    piece = tmp_path / "piece.pdf"
    piece.write_bytes(PDF)
    _journey(page, site_url("test-a") + "/demarches/formulaire/enfants/", piece)
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
