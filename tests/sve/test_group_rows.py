"""Repeatable groups on the filing page: rows added and removed without JavaScript, what was
typed kept, the group's maximum respected; the builder's setting; the API's row count."""

import re

import pytest
from django.utils.datastructures import MultiValueDict

from sve.builder import builder_forms, builder_rows_from_specs, builder_rows_read, builder_specs
from sve.fields import GROUP_DEFAULT_MAX_ROWS, build_form_class, group_counts
from sve.models import Request, Status
from tests.conftest import in_tenant
from tests.sve.conftest import enabled_form

pytestmark = pytest.mark.django_db

URL = "/demarches/formulaire/enfants/"
FIELDS = [
    {"name": "objet", "label": "Objet", "type": "text", "required": True},
    {
        "name": "enfants",
        "label": "Enfants",
        "type": "group",
        "required": False,
        "max_rows": 3,
        "subfields": [
            {"name": "prenom", "label": "Prénom", "type": "text", "required": False},
            {"name": "naissance", "label": "Date de naissance", "type": "date"},
        ],
    },
]
IDENTITY = {
    "id-last_name": "Durand",
    "id-first_name": "Alix",
    "id-postal_address": "2 place de l'Église",
    "id-email": "alix@example.fr",
}


@pytest.fixture
def group_form(tenant_a):
    with in_tenant(tenant_a):
        return enabled_form(slug="enfants", fields=FIELDS)


def _post(client, rows, action, **extra):
    data = {"action": action, "f-objet": "Livret", "f-enfants__rows": str(len(rows)), **IDENTITY}
    for index, name in enumerate(rows):
        data[f"f-enfants__{index}__prenom"] = name
        data[f"f-enfants__{index}__naissance"] = f"2020-05-0{index + 1}" if name else ""
    return client.post(URL, {**data, **extra})


def _typed_rows(html):
    """The first names in the page's rows, in order ("" for an empty row)."""
    inputs = re.findall(r'<input[^>]*name="f-enfants__\d+__prenom"[^>]*>', html)
    return [(re.search(r'value="([^"]*)"', tag) or [None, ""])[1] for tag in inputs]


def _row_count(html):
    return int(re.search(r'name="f-enfants__rows" value="(\d+)"', html).group(1))


def test_page_starts_with_one_row_and_an_add_button(client_a, group_form):
    html = client_a.get(URL).content.decode()
    assert _row_count(html) == 1
    assert 'name="f-enfants__0__prenom"' in html and "f-enfants__1__prenom" not in html
    assert 'value="ajouter:enfants"' in html and "Ajouter une ligne" in html
    assert "Supprimer cette ligne" in html and "Jusqu'à 3 lignes" in html


def test_adding_a_row_keeps_what_was_typed_and_saves_nothing(client_a, tenant_a, group_form):
    response = _post(client_a, ["Léa"], "ajouter:enfants", **{"f-objet": "Mon <b>objet</b>"})
    assert response.status_code == 200
    html = response.content.decode()
    assert _row_count(html) == 2
    assert _typed_rows(html) == ["Léa", ""]
    assert 'value="2020-05-01"' in html
    assert "Mon &lt;b&gt;objet&lt;/b&gt;" in html  # typed, escaped
    assert 'value="Durand"' in html and "2 place de l&#x27;Église" in html
    assert "field__error" not in html  # nothing validated yet
    with in_tenant(tenant_a):
        assert not Request.objects.exists()


def test_rows_stop_at_the_groups_maximum(client_a, group_form):
    html = _post(client_a, ["A", "B"], "ajouter:enfants").content.decode()
    assert _typed_rows(html) == ["A", "B", ""]
    add = re.search(r'<button[^>]*value="ajouter:enfants"[^>]*>', html).group(0)
    assert "disabled" in add and " hidden" in add
    assert re.search(r"<p[^>]*data-sve-full>Nombre maximal de lignes atteint \(3\)", html)
    # A forged add beyond the maximum, or rows posted beyond it, change nothing.
    html = _post(client_a, ["A", "B", "C"], "ajouter:enfants").content.decode()
    assert _row_count(html) == 3
    html = _post(client_a, ["A", "B", "C", "D"], "ajouter:enfants").content.decode()
    assert _typed_rows(html) == ["A", "B", "C"]


def test_removing_a_row_moves_the_next_ones_up(client_a, group_form):
    html = _post(client_a, ["A", "B", "C"], "supprimer:enfants:1").content.decode()
    assert _typed_rows(html) == ["A", "C"]
    assert 'value="2020-05-03"' in html and 'value="2020-05-02"' not in html
    assert "disabled" not in re.search(r'<button[^>]*value="ajouter:enfants"[^>]*>', html).group(0)
    html = _post(client_a, ["A"], "supprimer:enfants:0").content.decode()
    assert _row_count(html) == 1 and _typed_rows(html) == [""]


def test_all_added_rows_are_filed(client_a, tenant_a, group_form):
    response = _post(client_a, ["A", "B", "C"], "deposer")
    assert response.status_code == 302
    with in_tenant(tenant_a):
        req = Request.objects.get()
    assert req.status == Status.SUBMITTED
    assert [row["prenom"] for row in req.data["enfants"]] == ["A", "B", "C"]
    assert req.data["enfants"][2]["naissance"] == "2020-05-03"


def test_invalid_value_in_an_added_row_is_shown_with_all_rows(client_a, tenant_a, group_form):
    response = _post(client_a, ["A", "B"], "deposer", **{"f-enfants__1__naissance": "pas une date"})
    html = response.content.decode()
    assert response.status_code == 200 and _row_count(html) == 2
    assert "field__error" in html and 'value="pas une date"' in html
    with in_tenant(tenant_a):
        assert not Request.objects.exists()


def test_rows_keep_the_draft_and_a_resumed_draft_shows_its_rows(client_a, tenant_a, group_form):
    saved = _post(client_a, ["A", "B"], "brouillon")
    assert saved.status_code == 302
    token = saved["Location"].split("brouillon=")[1]
    html = client_a.get(saved["Location"]).content.decode()
    assert _typed_rows(html) == ["A", "B"]
    html = _post(client_a, ["A", "B"], "ajouter:enfants", brouillon=token).content.decode()
    assert f'name="brouillon" value="{token}"' in html and _typed_rows(html) == ["A", "B", ""]
    assert "Brouillon enregistré le" in html
    done = _post(client_a, ["A", "B", "C"], "deposer", brouillon=token)
    assert done.status_code == 302
    with in_tenant(tenant_a):
        req = Request.objects.get()  # the draft itself was filed
    assert req.access_token == token and len(req.data["enfants"]) == 3


def test_a_file_chosen_before_a_row_button_must_be_chosen_again(client_a, tenant_a):
    from tests.sve.conftest import pdf

    with in_tenant(tenant_a):
        enabled_form(
            slug="enfants",
            fields=FIELDS + [{"name": "piece", "label": "Pièce", "type": "file"}],
        )
    html = _post(client_a, ["A"], "ajouter:enfants", **{"f-piece": pdf()}).content.decode()
    assert "sélectionnez-les à nouveau" in html and _typed_rows(html) == ["A", ""]
    html = _post(client_a, ["A"], "ajouter:enfants").content.decode()
    assert "sélectionnez-les à nouveau" not in html


def test_builder_sets_the_groups_maximum_default_ten():
    def specs(**extra):
        posted = {
            "champs-0-label": ["Enfants"],
            "champs-0-type": ["group"],
            "champs-0-sous-0-label": ["Prénom"],
            "champs-0-sous-0-type": ["text"],
            **{f"champs-0-{k}": [v] for k, v in extra.items()},
        }
        rows = builder_rows_read(MultiValueDict(posted))
        return builder_specs(builder_forms(rows, bound=True))

    (spec,) = specs()
    assert spec["max_rows"] == GROUP_DEFAULT_MAX_ROWS == 10
    (spec,) = specs(max_rows="6")
    assert spec["max_rows"] == 6
    assert builder_rows_from_specs([spec])[0]["max_rows"] == ["6"]


def test_row_count_of_submitted_data_without_the_pages_counter():
    specs = [{**FIELDS[1], "max_rows": None}]
    assert group_counts(specs, {}) == {"enfants": 1}
    assert group_counts(specs, {"enfants__4__prenom": "E"}) == {"enfants": 5}
    assert group_counts(specs, {"enfants__40__prenom": "E"}) == {"enfants": 10}
    form = build_form_class(specs, rows={"enfants": 5})({"enfants__4__prenom": "E"})
    assert form.is_valid() and form.cleaned_data["enfants__4__prenom"] == "E"
