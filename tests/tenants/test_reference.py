import gzip
import json

import pytest
from django.core.management import CommandError, call_command

from tenants.models import CommuneReference
from tenants.services.reference import SHIPPED_FILE, ReferenceFileError, commune_reference_read

COMMUNES = [
    {
        "code": "05046",
        "nom": "Embrun",
        "departement": "05",
        "siren": "210500468",
        "codesPostaux": ["05200"],
        "population": 6412,
        "type": "commune-actuelle",
    },
    {
        "code": "05107",
        "nom": "Puy-Saint-André",
        "departement": "05",
        "siren": "210501078",
        "codesPostaux": ["05100"],
        "population": 476,
        "type": "commune-actuelle",
    },
    {"code": "05999", "nom": "Ancienne", "departement": "05", "type": "commune-deleguee"},
]
EPCI = [
    {
        "code": "240500439",
        "nom": "CC du Briançonnais",
        "membres": [
            {"code": "05107", "populationTotale": 482, "populationMunicipale": 471},
        ],
    }
]


def write(tmp_path, name, data, compress=False):
    path = tmp_path / name
    payload = json.dumps(data).encode()
    path.write_bytes(gzip.compress(payload) if compress else payload)
    return path


def test_original_files_are_imported_with_both_populations_of_one_vintage(tmp_path, db):
    communes = write(tmp_path, "communes.json", COMMUNES)
    epci = write(tmp_path, "epci.json", EPCI, compress=True)
    call_command("import_communes", str(communes), str(epci), "--millesime", "2023")
    assert CommuneReference.objects.count() == 2  # the "commune déléguée" is left out
    psa = CommuneReference.objects.get(insee_code="05107")
    assert (psa.population_municipale, psa.population_totale, psa.population_year) == (
        471,
        482,
        2023,
    )
    assert psa.search_name == "puy saint andre"
    assert psa.postal_codes == ["05100"]
    embrun = CommuneReference.objects.get(insee_code="05046")
    assert (embrun.population_municipale, embrun.population_totale) == (6412, None)


def test_importing_twice_updates_and_never_duplicates(tmp_path, db):
    path = write(tmp_path, "communes.json", COMMUNES)
    call_command("import_communes", str(path))
    changed = [dict(COMMUNES[0], nom="Embrun-les-Alpes", population=7000), *COMMUNES[1:]]
    call_command("import_communes", str(write(tmp_path, "communes2.json", changed)))
    assert CommuneReference.objects.count() == 2
    embrun = CommuneReference.objects.get(insee_code="05046")
    assert (embrun.name, embrun.population_municipale) == ("Embrun-les-Alpes", 7000)


def test_a_file_with_only_communes_keeps_the_population_totale_already_known(tmp_path, db):
    call_command(
        "import_communes",
        str(write(tmp_path, "communes.json", COMMUNES)),
        str(write(tmp_path, "epci.json", EPCI)),
    )
    call_command("import_communes", str(write(tmp_path, "c.json", COMMUNES)))
    assert CommuneReference.objects.get(insee_code="05107").population_totale == 482


@pytest.mark.parametrize(
    ("fault", "message"),
    [
        ({"population": "beaucoup"}, "enregistrement n° 2 (code INSEE 05107) : la population"),
        ({"code": "5107"}, "enregistrement n° 2 : code INSEE « 5107 » invalide"),
        ({"nom": ""}, "enregistrement n° 2 (code INSEE 05107) : nom manquant"),
        ({"siren": "12"}, "(code INSEE 05107) : SIREN « 12 » invalide"),
        ({"codesPostaux": ["5100"]}, "(code INSEE 05107) : codes postaux"),
        ({"code": "05046"}, "Le code INSEE 05046 figure deux fois"),
    ],
)
def test_a_malformed_file_is_refused_naming_the_record_and_nothing_is_imported(
    tmp_path, db, fault, message
):
    bad = [COMMUNES[0], dict(COMMUNES[1], **fault)]
    with pytest.raises(CommandError) as excinfo:
        call_command("import_communes", str(write(tmp_path, "communes.json", bad)))
    assert message in str(excinfo.value)
    assert "rien n'a été importé" in str(excinfo.value)
    assert not CommuneReference.objects.exists()  # not even the valid first record


def test_a_file_that_is_not_json_is_refused(tmp_path, db):
    path = tmp_path / "communes.json"
    path.write_text("{ pas du json")
    with pytest.raises(CommandError, match="n'est pas un fichier JSON valide"):
        call_command("import_communes", str(path))


def test_a_faulty_epci_member_is_named(tmp_path, db):
    bad_epci = [{"code": "1", "membres": [{"code": "05107", "populationTotale": -3}]}]
    with pytest.raises(ReferenceFileError, match=r"EPCI n° 1, membre n° 1 \(code INSEE 05107\)"):
        commune_reference_read(
            [write(tmp_path, "c.json", COMMUNES), write(tmp_path, "e.json", bad_epci)]
        )


def test_the_shipped_file_holds_every_current_commune_with_both_populations():
    rows, year = commune_reference_read([SHIPPED_FILE])
    assert year == 2023
    assert SHIPPED_FILE.stat().st_size < 600 * 1024
    assert len(rows) > 34_000
    by_code = {row.insee_code: row for row in rows}
    # The figures seed 000's commune and the demo use (DGCL 2026, millésime 2023).
    psa = by_code["05107"]
    assert (psa.name, psa.siren, psa.population_municipale, psa.population_totale) == (
        "Puy-Saint-André",
        "210501078",
        471,
        482,
    )
    assert by_code["2A004"].departement == "2A"
    assert sum(1 for row in rows if row.departement == "05") == 162


@pytest.mark.django_db
def test_make_demo_seed_loads_the_shipped_list_once():
    from tenants import demo

    demo.seed_public()
    count = CommuneReference.objects.count()
    assert count > 34_000
    assert CommuneReference.objects.get(insee_code="05061").name == "Gap"
    demo.seed_public()  # idempotent: already loaded, nothing changes
    assert CommuneReference.objects.count() == count
