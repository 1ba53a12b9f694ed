"""The form builder driven in Chromium, as a mairie secretary would (issue 11): fields added,
removed and moved in the page, a list, a bounded number and a group with two sub-fields,
the preview beside the builder following each change, publication; then a citizen on a
phone sees the form, is held to the number's bounds and files it. axe-core finds no serious
or critical violation on the builder, at 1280 and 375 px."""

import re

import pytest

from sve.models import Form, Request
from tests.conftest import in_tenant
from tests.e2e.conftest import sign_in
from tests.e2e.test_design import Auditor

pytestmark = pytest.mark.django_db(transaction=True)


def _row(page, number: int):
    return page.locator("[data-builder-fields] > [data-builder-row]").nth(number - 1)


def _preview_labels(page) -> list[str]:
    return page.locator("[data-builder-preview] label").all_inner_texts()


def test_a_secretary_builds_a_form_and_a_citizen_files_it(
    page, browser, site_url, tenant_a, member_factory
):
    from tenants.models import Membership

    admin = member_factory(tenant_a, role=Membership.Role.ADMIN)
    base = site_url("test-a")
    wide, phone = Auditor(1280), Auditor(375)
    page.set_viewport_size({"width": 1280, "height": 900})
    wide.watch(page)
    sign_in(page, base + "/comptes/connexion/?next=/demarches/gestion/formulaires/nouveau/", admin)
    page.wait_for_url("**/formulaires/nouveau/")
    page.get_by_label("Titre").fill("Permis de végétaliser")

    # The first field, then three more added in the page; options follow the type.
    first = _row(page, 1)
    first.get_by_label("Libellé").fill("Adresse du projet")
    first.get_by_label("Type").select_option("address")
    first.get_by_label("Obligatoire").check()
    add = page.get_by_role("button", name="Ajouter un champ")
    add.click()
    essence = _row(page, 2)
    assert essence.get_by_label("Choix proposés").is_hidden()
    essence.get_by_label("Libellé").fill("Essence")
    essence.get_by_label("Type").select_option("choice")
    assert essence.get_by_label("Choix proposés").is_visible()
    assert essence.get_by_label("Minimum").is_hidden()
    essence.get_by_label("Choix proposés").fill("Tilleul\nÉrable")
    add.click()
    _row(page, 3).get_by_label("Libellé").fill("Champ de trop")
    add.click()
    arbres = _row(page, 4)
    arbres.get_by_label("Libellé").fill("Nombre d'arbres")
    arbres.get_by_label("Type").select_option("number")
    assert arbres.get_by_label("Choix proposés").is_hidden()
    arbres.get_by_label("Minimum").fill("1")
    arbres.get_by_label("Maximum").fill("5")
    arbres.get_by_label("Nombre entier").check()
    # Remove the third, move the number above the list.
    _row(page, 3).get_by_role("button", name="Supprimer", exact=True).click()
    assert page.locator("[data-builder-fields] > [data-builder-row]").count() == 3
    _row(page, 3).get_by_role("button", name="Monter").click()
    assert _row(page, 2).get_by_label("Libellé").input_value() == "Nombre d'arbres"
    assert _row(page, 2).get_by_label("Libellé").get_attribute("name") == "champs-1-label"
    # Each row keeps its number kind through the move (radio groups renamed, not merged).
    assert page.locator("[data-builder-fields] input[type=radio]:checked").count() == 3

    # A group with two sub-fields, edited like fields.
    add.click()
    group = _row(page, 4)
    group.get_by_label("Libellé").first.fill("Plantations")
    group.get_by_label("Type").first.select_option("group")
    subs = group.locator("[data-builder-sub]")
    assert subs.count() == 1  # a first sub-field row comes with the type
    subs.nth(0).get_by_label("Libellé").fill("Espèce")
    group.get_by_role("button", name="Ajouter un sous-champ").click()
    subs.nth(1).get_by_label("Libellé").fill("Hauteur (m)")
    subs.nth(1).get_by_label("Type").select_option("number")
    subs.nth(1).get_by_label("Nombre décimal").check()
    subs.nth(1).get_by_label("Maximum").fill("12.5")
    assert subs.nth(1).get_by_label("Libellé").get_attribute("name") == "champs-3-sous-1-label"

    # The preview follows: the citizen's rendering, in the builder's order.
    preview = page.locator("[data-builder-preview]")
    preview.get_by_text("Plantations n°1 — Hauteur (m)").wait_for()
    labels = _preview_labels(page)
    order = [
        next(i for i, text in enumerate(labels) if text.startswith(start))
        for start in ("Adresse du projet", "Nombre d'arbres", "Essence", "Plantations n°1 — Espèce")
    ]
    assert order == sorted(order) and not any("Champ de trop" in t for t in labels)
    number = preview.get_by_label(re.compile("^Nombre d'arbres"))
    assert (number.get_attribute("min"), number.get_attribute("max")) == ("1", "5")
    wide.check(page, "builder")

    page.get_by_role("button", name="Enregistrer et publier").click()
    page.get_by_text("Version 1 publiée").wait_for()
    with in_tenant(tenant_a):
        form = Form.objects.get(slug="permis-de-vegetaliser")
        assert form.is_enabled
        fields = form.current_version.fields
    assert [f["type"] for f in fields] == ["address", "number", "choice", "group"]
    assert (fields[1]["min"], fields[1]["max"], fields[1]["integer"]) == (1, 5, True)
    assert [s["label"] for s in fields[3]["subfields"]] == ["Espèce", "Hauteur (m)"]

    # The builder on a phone.
    phone.watch(page)
    page.set_viewport_size({"width": 375, "height": 800})
    page.reload()
    phone.check(page, "builder-edit")

    # A citizen on a phone files it; the number's bound is held by the server too.
    citizen = browser.new_context(
        locale="fr-FR", timezone_id="Europe/Paris", viewport={"width": 375, "height": 800}
    ).new_page()
    citizen.goto(base + "/demarches/formulaire/permis-de-vegetaliser/")
    citizen.get_by_label(re.compile("^Adresse du projet")).fill("2 place de l'Église")
    count = citizen.get_by_label(re.compile("^Nombre d'arbres"))
    count.fill("9")
    count.evaluate("el => { el.removeAttribute('max'); }")  # past the browser's own check
    citizen.get_by_label(re.compile("^Essence")).select_option("Érable")
    citizen.get_by_label(re.compile("^Plantations n°1 — Espèce")).fill("Érable champêtre")
    citizen.get_by_label(re.compile("^Plantations n°1 — Hauteur")).fill("2.5")
    citizen.locator("#id_id-last_name").fill("Martin")
    citizen.locator("#id_id-first_name").fill("Claude")
    citizen.locator("#id_id-postal_address").fill("1 rue de la Mairie")
    citizen.locator("#id_id-email").fill("claude@example.fr")
    citizen.get_by_role("button", name="Déposer ma demande").click()
    citizen.get_by_text("inférieure ou égale à 5").wait_for()
    citizen.get_by_label(re.compile("^Nombre d'arbres")).fill("3")
    citizen.get_by_role("button", name="Déposer ma demande").click()
    citizen.wait_for_url("**/suivi/**")
    citizen.context.close()
    with in_tenant(tenant_a):
        req = Request.objects.get(form_version__form=form)
    assert req.data["nombre_darbres"] == 3 and req.data["essence"] == "Érable"
    assert req.data["plantations"] == [{"espece": "Érable champêtre", "hauteur_m": "2.5"}]
    problems = wide.problems + phone.problems + wide.console + phone.console
    assert not problems, "\n".join(problems)
