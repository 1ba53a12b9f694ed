"""Build data/communes-2026.json.gz from @etalab/decoupage-administratif's data files.

    python data/build_communes.py PATH/TO/package/data

Keeps only what onboarding and billing need, for current communes ("commune-actuelle"):
INSEE code, name, département, SIREN, postal codes, population municipale (communes.json)
and population totale (epci.json members). One row per commune, columns in FIELDS order.
"""

import gzip
import json
import sys
from pathlib import Path

# Package 6.0.0 = DGCL 2026 edition; INSEE populations légales millésime 2023, in force
# on 1 January 2026.
SOURCE = "@etalab/decoupage-administratif 6.0.0 (Licence Ouverte)"
POPULATION_YEAR = 2023
# One list per field (columnar compresses best). Postal codes are joined by spaces; the
# population totale is stored as its difference from the population municipale.
FIELDS = ["code", "nom", "departement", "siren", "codesPostaux", "population", "populationTotale"]


def build(source_dir: Path) -> dict:
    communes = json.loads((source_dir / "communes.json").read_text())
    epcis = json.loads((source_dir / "epci.json").read_text())
    # The population municipale and totale are taken together from epci.json (DGCL), so
    # that they are of one vintage: communes.json's "population" (INSEE file) differs for
    # most communes. Communes outside any EPCI (some islands, overseas) keep communes.json's.
    dgcl = {m["code"]: m for e in epcis for m in e["membres"]}
    rows = [
        [
            c["code"],
            c["nom"],
            c["departement"],
            c.get("siren", ""),
            c.get("codesPostaux", []),
            dgcl[c["code"]].get("populationMunicipale")
            if c["code"] in dgcl
            else c.get("population"),
            dgcl.get(c["code"], {}).get("populationTotale"),
        ]
        for c in communes
        if c.get("type") == "commune-actuelle"
    ]
    columns = [list(column) for column in zip(*rows, strict=True)]
    columns[4] = [" ".join(codes) for codes in columns[4]]
    columns[6] = [
        None if total is None or municipale is None else total - municipale
        for municipale, total in zip(columns[5], columns[6], strict=True)
    ]
    return {
        "format": "portal-communes/1",
        "source": SOURCE,
        "population_year": POPULATION_YEAR,
        "fields": FIELDS,
        "count": len(rows),
        "columns": columns,
    }


if __name__ == "__main__":
    data = build(Path(sys.argv[1]))
    target = Path(__file__).parent / "communes-2026.json.gz"
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
    target.write_bytes(gzip.compress(payload, compresslevel=9, mtime=0))
    print(f"{target}: {data['count']} communes, {target.stat().st_size} bytes")
