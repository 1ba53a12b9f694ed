"""The form builder: its rows read from a POST, the row buttons without JavaScript, the
type options, the definition's validation (a French error per field, nothing half-saved),
number bounds on the citizen's side and in the API, old-format sub-fields still read."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils.datastructures import MultiValueDict

from sve.builder import (
    builder_forms,
    builder_rows_edit,
    builder_rows_from_specs,
    builder_rows_read,
    builder_specs,
)
from sve.fields import build_form_class, spec_errors, specs_check
from tests.conftest import in_tenant
from tests.sve.conftest import IDENTITY, enabled_form


def _post(**values) -> MultiValueDict:
    return MultiValueDict(
        {
            key.replace("__", "-"): value if isinstance(value, list) else [value]
            for key, value in values.items()
        }
    )


def _specs(data, previous=()):
    return builder_specs(builder_forms(builder_rows_read(data), bound=True), previous=previous)


# --- Reading the page and its row buttons ---------------------------------------------


def test_rows_come_in_index_order_and_keep_only_their_types_options():
    data = _post(
        champs__3__label="Nombre d'arbres",
        champs__3__type="number",
        champs__3__min="1",
        champs__3__choices="ignoré",
        champs__0__label="Motif",
        champs__0__type="text",
        champs__0__min="5",
        champs__0__max_mb="abc",  # an irrelevant option, even malformed, is ignored
        champs__0__choices="A\nB",
    )
    rows = builder_rows_read(data)
    assert [row["label"] for row in rows] == [["Motif"], ["Nombre d'arbres"]]
    assert "min" not in rows[0] and "choices" not in rows[0] and "max_mb" not in rows[0]
    assert rows[1]["min"] == ["1"] and "choices" not in rows[1]
    motif, arbres = _specs(data)
    assert motif == {
        "name": "motif",
        "label": "Motif",
        "type": "text",
        "required": False,
        "help": "",
    }
    assert arbres["min"] == 1 and "choices" not in arbres


def test_row_buttons_add_remove_and_move_fields_and_sub_fields():
    rows = [
        {"label": ["A"], "type": ["text"]},
        {"label": ["B"], "type": ["group"], "subs": [{"label": ["x"]}, {"label": ["y"]}]},
        {"label": ["C"], "type": ["text"]},
    ]
    labels = lambda rows: [r["label"][0] for r in rows]  # noqa: E731
    assert labels(builder_rows_edit(rows, action="champ-ajouter")) == ["A", "B", "C", ""]
    assert labels(builder_rows_edit(rows, action="champ-supprimer:1")) == ["A", "C"]
    assert labels(builder_rows_edit(rows, action="champ-monter:2")) == ["A", "C", "B"]
    assert labels(builder_rows_edit(rows, action="champ-descendre:0")) == ["B", "A", "C"]
    # At the ends, moving changes nothing; an unknown index neither.
    assert labels(builder_rows_edit(rows, action="champ-monter:0")) == ["A", "B", "C"]
    assert labels(builder_rows_edit(rows, action="champ-supprimer:9")) == ["A", "B", "C"]
    subs = lambda rows: [s["label"][0] for s in rows[1]["subs"]]  # noqa: E731
    assert subs(builder_rows_edit(rows, action="sous-descendre:1:0")) == ["y", "x"]
    assert subs(builder_rows_edit(rows, action="sous-supprimer:1:1")) == ["x"]
    assert subs(builder_rows_edit(rows, action="sous-ajouter:1")) == ["x", "y", ""]
    assert subs(rows) == ["x", "y"]  # the rows given are not changed
    assert builder_rows_edit(rows, action="publier") is None


# --- Validation: one French message beside each wrong input ----------------------------


def test_each_wrong_option_gets_its_french_error_and_nothing_is_returned():
    data = _post(
        champs__0__label="Choix",
        champs__0__type="choice",
        champs__1__label="Quantité",
        champs__1__type="number",
        champs__1__min="10",
        champs__1__max="2",
        champs__2__label="Âge",
        champs__2__type="number",
        champs__2__number_kind="entier",
        champs__2__min="1.5",
        champs__3__type="date",
        champs__3__help="Une aide sans libellé",
        champs__4__label="Enfants",
        champs__4__type="group",
        champs__5__label="Ok",
        champs__5__type="nope",
    )
    rows = builder_forms(builder_rows_read(data), bound=True)
    with pytest.raises(ValidationError) as caught:
        builder_specs(rows)
    assert "Certains champs sont à corriger" in caught.value.messages[0]
    errors = [row.form.errors for row in rows]
    assert errors[0]["choices"] == ["Indiquez au moins un choix (un par ligne)."]
    assert errors[1]["max"] == ["Le maximum doit être supérieur ou égal au minimum."]
    assert errors[2]["min"] == ["Pour un nombre entier, la borne doit être un nombre entier."]
    assert errors[3]["label"] == ["Donnez un libellé à ce champ."]
    assert errors[4]["__all__"] == ["Ajoutez au moins un sous-champ au groupe."]
    assert "type" in errors[5]
    # The preview shows what is valid and leaves the rest out.
    assert builder_specs(builder_forms(builder_rows_read(data), bound=True), partial=True) == []


def test_blank_rows_are_skipped_and_kept_labels_keep_their_names():
    previous = [
        {"name": "objet_ancien", "label": "Objet", "type": "text"},
        {
            "name": "enfants",
            "label": "Enfants",
            "type": "group",
            "subfields": [{"name": "prenom_v1", "label": "Prénom", "type": "text"}],
        },
    ]
    data = _post(
        champs__0__label="",
        champs__0__type="text",
        champs__1__label="Enfants",
        champs__1__type="group",
        champs__1__sous__0__label="Prénom",
        champs__1__sous__0__type="text",
        champs__1__sous__0__required="on",
        champs__1__sous__1__label="Né le",
        champs__1__sous__1__type="date",
        champs__1__sous__2__label="",
        champs__1__sous__2__type="text",
        champs__2__label="Objet",
        champs__2__type="text",
    )
    group, objet = _specs(data, previous=previous)
    assert objet["name"] == "objet_ancien" and group["name"] == "enfants"
    assert group["subfields"] == [
        {"name": "prenom_v1", "label": "Prénom", "type": "text", "required": True},
        {"name": "ne_le", "label": "Né le", "type": "date", "required": False},
    ]
    assert group["max_rows"] == 10


def test_sub_fields_have_their_own_type_options_and_no_file_or_group():
    data = _post(
        champs__0__label="Animaux",
        champs__0__type="group",
        champs__0__sous__0__label="Espèce",
        champs__0__sous__0__type="choice",
        champs__0__sous__0__choices="Chien\nChat\n",
        champs__0__sous__0__min="3",  # not a number's: ignored
        champs__0__sous__1__label="Âge",
        champs__0__sous__1__type="number",
        champs__0__sous__1__number_kind="entier",
        champs__0__sous__1__min="0",
        champs__0__sous__1__max="30",
    )
    (group,) = _specs(data)
    espece, age = group["subfields"]
    assert espece["choices"] == ["Chien", "Chat"] and "min" not in espece
    assert (age["min"], age["max"], age["integer"]) == (0, 30, True)
    refused = builder_forms(
        builder_rows_read(
            _post(
                champs__0__label="G",
                champs__0__type="group",
                champs__0__sous__0__label="Pièce",
                champs__0__sous__0__type="file",
            )
        ),
        bound=True,
    )
    with pytest.raises(ValidationError):
        builder_specs(refused)
    assert "type" in refused[0].subs[0].form.errors


def test_spec_errors_is_the_one_rule_the_catalogue_check_uses_too():
    assert spec_errors({"label": "N", "type": "number", "min": 5, "max": 1}) == {
        "max": "Le maximum doit être supérieur ou égal au minimum."
    }
    assert spec_errors({"label": "N", "type": "number", "min": "1.25", "max": 3}) == {}
    with pytest.raises(ValidationError) as caught:
        specs_check([{"name": "n", "label": "N", "type": "number", "min": "x"}])
    assert caught.value.messages == ["Champ « N » : Saisissez un nombre."]


# --- Old format and round trip ---------------------------------------------------------


def test_sub_fields_saved_the_old_way_are_still_read():
    # Sub-fields saved by the old builder: no "required" nor "help"; a `libellé:type` line
    # (the old text box) is read too, from a stored spec or a posted page.
    old = [
        {
            "name": "plantes",
            "label": "Plantes",
            "type": "group",
            "subfields": [
                {"name": "espece", "label": "Espèce", "type": "text"},
                "Quantité:number",
            ],
        }
    ]
    (row,) = builder_rows_from_specs(old)
    assert [(s["label"], s["type"]) for s in row["subs"]] == [
        (["Espèce"], ["text"]),
        (["Quantité"], ["number"]),
    ]
    posted = _post(
        champs__0__label="Plantes",
        champs__0__type="group",
        champs__0__subfields="Espèce:text\nQuantité:number\nRemarque",
    )
    (group,) = _specs(posted, previous=old)
    assert [(s["name"], s["type"]) for s in group["subfields"]] == [
        ("espece", "text"),
        ("quantite", "number"),
        ("remarque", "text"),
    ]
    # The old version's stored fields still build the citizen's form.
    form = build_form_class(old[:1] and [{**old[0], "subfields": old[0]["subfields"][:1]}])
    assert "plantes__0__espece" in form().fields


def test_specs_round_trip_through_the_builders_rows():
    specs = [
        {"name": "nb", "label": "Nombre", "type": "number", "required": True, "help": "",
         "integer": False, "min": "0.5", "max": 12},
        {"name": "photo", "label": "Photo", "type": "file", "required": False, "help": "",
         "allowed_types": ["image/png"], "max_bytes": 2 * 1024 * 1024},
    ]  # fmt: skip
    rows = builder_rows_from_specs(specs)
    data = MultiValueDict(
        {f"champs-{i}-{k}": v for i, row in enumerate(rows) for k, v in row.items()}
    )
    assert _specs(data, previous=specs) == specs


# --- Number bounds, for the citizen ----------------------------------------------------

BOUNDED = [
    {"name": "arbres", "label": "Arbres", "type": "number", "required": True,
     "integer": True, "min": 1, "max": 20},
    {"name": "surface", "label": "Surface (m²)", "type": "number", "required": False,
     "min": "0.5", "max": "99.75"},
]  # fmt: skip


def test_number_bounds_are_enforced_on_the_citizens_form():
    form_class = build_form_class(BOUNDED)
    assert form_class({"arbres": "3", "surface": "0.5"}).is_valid()
    too_many = form_class({"arbres": "21"})
    assert not too_many.is_valid()
    assert too_many.errors["arbres"] == [
        "Assurez-vous que cette valeur est inférieure ou égale à 20."
    ]
    assert "arbres" in form_class({"arbres": "2.5"}).errors  # an integer is asked
    small = form_class({"arbres": "2", "surface": "0.25"})
    assert not small.is_valid() and "supérieure ou égale à 0.5" in small.errors["surface"][0]
    valid = form_class({"arbres": "2", "surface": "99.75"})
    assert valid.is_valid() and valid.cleaned_data["surface"] == Decimal("99.75")
    html = str(form_class()["arbres"])
    assert 'min="1"' in html and 'max="20"' in html


@pytest.mark.django_db
def test_number_bounds_are_enforced_in_the_api(tenant_a):
    from rest_framework.test import APIClient

    with in_tenant(tenant_a):
        enabled_form(slug="arbres", fields=BOUNDED)
    client = APIClient(HTTP_HOST="test-a.localhost")

    def file(value):
        return client.post(
            "/api/sve/formulaires/arbres/demandes/",
            {**IDENTITY, "data": {"arbres": value}},
            format="json",
        )

    refused = file(50)
    assert refused.status_code == 400
    assert refused.json()["errors"]["arbres"] == [
        "Assurez-vous que cette valeur est inférieure ou égale à 20."
    ]
    assert file(5).status_code == 201, file(5).content


# --- The builder's page, without JavaScript ---------------------------------------------

SETTINGS = {
    "s-title": "Permis de végétaliser",
    "s-regime": "sva",
    "s-delay_months": "2",
    "s-delay_days": "0",
    "s-service_name": "Espaces verts",
    "s-service_address": "Place de la Mairie",
    "s-service_email": "espaces-verts@example.fr",
    "s-service_phone": "04 92 00 00 02",
}
NEW = "/demarches/gestion/formulaires/nouveau/"


@pytest.fixture
def admin_client(client_a, admin_a):
    from tests.conftest import PASSWORD

    assert client_a.login(email=admin_a.email, password=PASSWORD)
    return client_a


def _labels(html: str) -> list[str]:
    import re

    return re.findall(r'name="champs-\d+-label"[^>]*value="([^"]*)"', html)


@pytest.mark.django_db
def test_row_buttons_work_by_posting_the_page_and_save_nothing(admin_client, tenant_a):
    from sve.models import Form

    page = admin_client.get(NEW).content.decode()
    assert 'data-builder-template="champ"' in page and "Ajouter un champ" in page
    rows = {
        "champs-0-label": "Motif",
        "champs-0-type": "text",
        "champs-1-label": "Nombre",
        "champs-1-type": "number",
        "champs-1-min": "1",
    }
    added = admin_client.post(NEW, {**SETTINGS, **rows, "action": "champ-ajouter"})
    html = added.content.decode()
    assert added.status_code == 200 and _labels(html) == ["Motif", "Nombre"]
    assert 'name="champs-2-label"' in html and "field__error" not in html
    moved = admin_client.post(NEW, {**SETTINGS, **rows, "action": "champ-monter:1"})
    html = moved.content.decode()
    assert _labels(html) == ["Nombre", "Motif"]
    # The number's bound moved with it; its options are shown, a text's hidden.
    assert 'name="champs-0-min" value="1"' in html
    # A text turned into a group (without JavaScript, redrawn by a button) gets a first
    # empty sub-field row to fill in.
    turned = admin_client.post(
        NEW, {**SETTINGS, **rows, "champs-0-type": "group", "action": "champ-ajouter"}
    )
    assert 'name="champs-0-sous-0-label"' in turned.content.decode()
    removed = admin_client.post(NEW, {**SETTINGS, **rows, "action": "champ-supprimer:0"})
    assert _labels(removed.content.decode()) == ["Nombre"]
    group = admin_client.post(
        NEW,
        {**SETTINGS, "champs-0-label": "Enfants", "champs-0-type": "group",
         "champs-0-sous-0-label": "Prénom", "champs-0-sous-0-type": "text",
         "action": "sous-ajouter:0"},
    )  # fmt: skip
    html = group.content.decode()
    assert 'name="champs-0-sous-0-label" value="Prénom"' in html
    assert 'name="champs-0-sous-1-label"' in html and 'name="champs-0-sous-2-label"' not in html
    with in_tenant(tenant_a):
        assert not Form.objects.exists()


@pytest.mark.django_db
def test_a_wrong_field_is_shown_beside_its_input_and_nothing_is_saved(admin_client, tenant_a):
    from sve.models import Form

    rows = {
        "champs-0-label": "Motif",
        "champs-0-type": "choice",
        "champs-0-choices": "",
        "champs-1-label": "Nombre",
        "champs-1-type": "number",
        "champs-1-min": "5",
        "champs-1-max": "1",
    }
    response = admin_client.post(NEW, {**SETTINGS, **rows, "action": "publier"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Indiquez au moins un choix (un par ligne)." in html
    assert "Le maximum doit être supérieur ou égal au minimum." in html
    assert 'aria-invalid="true"' in html and _labels(html) == ["Motif", "Nombre"]
    with in_tenant(tenant_a):
        assert not Form.objects.exists()
    # Fixed, it is published with its bounds and goes online.
    rows |= {"champs-0-choices": "Plantation\nTaille", "champs-1-max": "9"}
    published = admin_client.post(NEW, {**SETTINGS, **rows, "action": "publier"})
    assert published.status_code == 302
    with in_tenant(tenant_a):
        form = Form.objects.get()
        assert form.is_enabled
        motif, nombre = form.current_version.fields
        assert motif["choices"] == ["Plantation", "Taille"] and (nombre["min"], nombre["max"]) == (
            5,
            9,
        )
    # The page of the published form lists its fields again, as rows.
    again = admin_client.get(f"/demarches/gestion/formulaires/{form.slug}/").content.decode()
    assert _labels(again) == ["Motif", "Nombre"]


@pytest.mark.django_db
def test_the_preview_is_the_citizens_rendering_of_the_rows(admin_client, tenant_a):
    rows = {
        "s-title": "Végétaliser",
        "champs-0-label": "Plantes",
        "champs-0-type": "group",
        "champs-0-sous-0-label": "Espèce",
        "champs-0-sous-0-type": "text",
        "champs-1-label": "Quantité",
        "champs-1-type": "number",
        "champs-1-number_kind": "entier",
        "champs-1-min": "1",
        "champs-1-max": "9",
        "champs-2-label": "Couleur",
        "champs-2-type": "choice",  # no choices yet: left out of the preview
    }
    response = admin_client.post("/demarches/gestion/apercu-formulaire/", rows)
    html = response.content.decode()
    assert response.status_code == 200 and "Végétaliser" in html
    assert 'data-sve-group="plantes"' in html and "Plantes n°1 — Espèce" in html
    assert 'min="1"' in html and 'max="9"' in html
    assert "Couleur" not in html and "Les champs à corriger ne figurent pas" in html
    assert admin_client.get("/demarches/gestion/apercu-formulaire/").status_code == 405
