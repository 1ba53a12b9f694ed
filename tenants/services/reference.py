"""The reference list of French communes (public schema), from the State's open data.

Reads three shapes of file, gzip-compressed or not:
- the file the project ships (``data/communes-2026.json.gz``, made by data/build_communes.py),
- ``communes.json`` of @etalab/decoupage-administratif (population municipale),
- ``epci.json`` of the same package (members' population municipale and totale).
Every record is checked before anything is written: a malformed file is refused with the
record at fault named, and the import is one transaction (all or nothing).
"""

import gzip
import json
import re
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction

from portal.text import search_key
from tenants.models import CommuneReference

SHIPPED_FILE = Path(settings.BASE_DIR) / "data" / "communes-2026.json.gz"
SHIPPED_FORMAT = "portal-communes/1"
# @etalab/decoupage-administratif 6.0.0 = DGCL 2026: INSEE populations légales millésime
# 2023, in force on 1 January 2026.
DEFAULT_POPULATION_YEAR = 2023

INSEE_RE = re.compile(r"^(\d{5}|2[AB]\d{3})$")
POSTAL_RE = re.compile(r"^\d{5}$")
SIREN_RE = re.compile(r"^\d{9}$")
DEPARTEMENT_RE = re.compile(r"^(\d{2,3}|2[AB])$")


class ReferenceFileError(ValueError):
    """A file that cannot be imported; the message (French) names the record at fault."""


@dataclass
class CommuneRow:
    insee_code: str
    name: str
    departement: str
    siren: str
    postal_codes: list[str]
    population_municipale: int | None
    population_totale: int | None = None


def _load_json(path: Path):
    try:
        raw = path.read_bytes()
        if raw[:2] == b"\x1f\x8b":
            raw = gzip.decompress(raw)
        return json.loads(raw)
    except OSError as exc:
        raise ReferenceFileError(f"{path.name} : lecture impossible ({exc}).") from exc
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ReferenceFileError(
            f"{path.name} : ce n'est pas un fichier JSON valide ({exc})."
        ) from exc


def _population(value, where: str, label: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ReferenceFileError(f"{where} : {label} « {value} » n'est pas un entier positif.")
    return value


def _row(record, where: str) -> CommuneRow:
    if not isinstance(record, dict):
        raise ReferenceFileError(f"{where} : l'enregistrement n'est pas un objet JSON.")
    code = record.get("code")
    if not isinstance(code, str) or not INSEE_RE.match(code):
        raise ReferenceFileError(f"{where} : code INSEE « {code} » invalide (5 caractères).")
    where = f"{where} (code INSEE {code})"
    name = record.get("nom")
    if not isinstance(name, str) or not name.strip() or len(name) > 200:
        raise ReferenceFileError(f"{where} : nom manquant ou invalide.")
    departement = record.get("departement")
    if not isinstance(departement, str) or not DEPARTEMENT_RE.match(departement):
        raise ReferenceFileError(f"{where} : département « {departement} » invalide.")
    siren = record.get("siren") or ""
    if not isinstance(siren, str) or (siren and not SIREN_RE.match(siren)):
        raise ReferenceFileError(f"{where} : SIREN « {siren} » invalide (9 chiffres).")
    postal_codes = record.get("codesPostaux") or []
    if isinstance(postal_codes, str):
        postal_codes = postal_codes.split()
    if not isinstance(postal_codes, list) or not all(
        isinstance(cp, str) and POSTAL_RE.match(cp) for cp in postal_codes
    ):
        raise ReferenceFileError(f"{where} : codes postaux « {postal_codes} » invalides.")
    municipale = _population(record.get("population"), where, "la population municipale")
    totale = _population(record.get("populationTotale"), where, "la population totale")
    return CommuneRow(code, name.strip(), departement, siren, postal_codes, municipale, totale)


def _shipped_rows(data: dict, name: str) -> list[CommuneRow]:
    fields = data.get("fields")
    columns = data.get("columns")
    if not isinstance(fields, list) or not isinstance(columns, list) or len(fields) != len(columns):
        raise ReferenceFileError(f"{name} : en-tête « fields » / « columns » invalide.")
    if len({len(column) for column in columns}) != 1:
        raise ReferenceFileError(f"{name} : les colonnes n'ont pas toutes la même longueur.")
    rows = []
    for index, values in enumerate(zip(*columns, strict=True), start=1):
        record = dict(zip(fields, values, strict=True))
        # The shipped file stores the population totale as its difference from the municipale.
        delta, municipale = record.get("populationTotale"), record.get("population")
        if delta is not None:
            if not isinstance(delta, int) or not isinstance(municipale, int):
                raise ReferenceFileError(
                    f"{name}, enregistrement n° {index} : population totale invalide."
                )
            record["populationTotale"] = municipale + delta
        rows.append(_row(record, f"{name}, enregistrement n° {index}"))
    return rows


def _epci_totals(data: list, name: str) -> dict[str, tuple[int | None, int | None]]:
    totals = {}
    for index, epci in enumerate(data, start=1):
        where = f"{name}, EPCI n° {index}"
        if not isinstance(epci, dict) or not isinstance(epci.get("membres"), list):
            raise ReferenceFileError(f"{where} : liste « membres » manquante.")
        for position, member in enumerate(epci["membres"], start=1):
            here = f"{where}, membre n° {position}"
            code = member.get("code") if isinstance(member, dict) else None
            if not isinstance(code, str) or not INSEE_RE.match(code):
                raise ReferenceFileError(f"{here} : code INSEE « {code} » invalide.")
            here = f"{here} (code INSEE {code})"
            totals[code] = (
                _population(member.get("populationMunicipale"), here, "la population municipale"),
                _population(member.get("populationTotale"), here, "la population totale"),
            )
    return totals


def commune_reference_read(paths: list[Path]) -> tuple[list[CommuneRow], int | None]:
    """Parse and check every file; return the rows and the population vintage if a file
    states it. Raises ReferenceFileError naming the first record at fault."""
    rows: list[CommuneRow] = []
    totals: dict[str, tuple[int | None, int | None]] = {}
    population_year = None
    for path in paths:
        data = _load_json(path)
        if isinstance(data, dict) and data.get("format") == SHIPPED_FORMAT:
            rows.extend(_shipped_rows(data, path.name))
            population_year = data.get("population_year")
        elif isinstance(data, list) and data and isinstance(data[0], dict) and "membres" in data[0]:
            totals.update(_epci_totals(data, path.name))
        elif isinstance(data, list):
            for index, record in enumerate(data, start=1):
                # communes.json also lists former (delegated, associated) communes and Paris,
                # Lyon and Marseille's arrondissements: only current communes are onboarded.
                if isinstance(record, dict) and record.get("type", "commune-actuelle") != (
                    "commune-actuelle"
                ):
                    continue
                rows.append(_row(record, f"{path.name}, enregistrement n° {index}"))
        else:
            raise ReferenceFileError(
                f"{path.name} : format inconnu (attendu : le fichier livré, communes.json ou "
                "epci.json de @etalab/decoupage-administratif)."
            )
    if not rows:
        raise ReferenceFileError("Aucune commune dans les fichiers donnés.")
    seen: set[str] = set()
    for row in rows:
        if row.insee_code in seen:
            raise ReferenceFileError(f"Le code INSEE {row.insee_code} figure deux fois.")
        seen.add(row.insee_code)
        if row.insee_code in totals:
            # Both populations from epci.json (DGCL), so that they are of one vintage.
            municipale, totale = totals[row.insee_code]
            row.population_totale = totale
            if municipale is not None:
                row.population_municipale = municipale
    return rows, population_year


# The fields an import writes, in the order of the staging table's columns.
_IMPORTED = (
    "insee_code",
    "name",
    "search_name",
    "departement",
    "siren",
    "postal_codes",
    "population_municipale",
    "population_totale",
    "population_year",
)


@transaction.atomic
def commune_reference_import(*, rows: list[CommuneRow], population_year: int) -> dict[str, int]:
    """Insert or update (by INSEE code) every row, in one transaction: importing the same
    file twice updates, never duplicates. A row without population totale keeps the one
    already stored.

    The rows are copied (COPY) into a temporary table, then written by one INSERT ... ON
    CONFLICT: the 35,000 communes of the shipped file in about a second, where a
    bulk_create of batches took nine (make demo seeds them, and so do four tests)."""
    table = connection.ops.quote_name(CommuneReference._meta.db_table)
    columns = ", ".join(_IMPORTED)
    updated = ", ".join(
        f"{field} = EXCLUDED.{field}"
        for field in _IMPORTED
        if field not in ("insee_code", "population_totale")
    )
    existing = CommuneReference.objects.count()
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMPORARY TABLE communes_staged ON COMMIT DROP"
            f" AS SELECT {columns} FROM {table} WITH NO DATA"
        )
        with cursor.copy(f"COPY communes_staged ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(
                    (
                        row.insee_code,
                        row.name,
                        search_key(row.name),
                        row.departement,
                        row.siren,
                        row.postal_codes,
                        row.population_municipale,
                        row.population_totale,
                        population_year,
                    )
                )
        cursor.execute(
            f"INSERT INTO {table} ({columns}) SELECT {columns} FROM communes_staged"
            f" ON CONFLICT (insee_code) DO UPDATE SET {updated},"
            " population_totale = COALESCE("
            f"EXCLUDED.population_totale, {table}.population_totale)"
        )
        cursor.execute("DROP TABLE communes_staged")
    created = CommuneReference.objects.count() - existing
    return {"created": created, "updated": len(rows) - created}


def commune_reference_import_files(
    *, paths: list[Path], population_year: int | None = None
) -> dict[str, int]:
    """Read, check, then import; nothing is written if any record is at fault."""
    rows, file_year = commune_reference_read(paths)
    return commune_reference_import(
        rows=rows, population_year=population_year or file_year or DEFAULT_POPULATION_YEAR
    )
