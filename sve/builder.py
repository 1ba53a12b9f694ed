"""The form builder's rows (a formset) to field specs and back."""

from django.core.exceptions import ValidationError

from sve.fields import GROUP_DEFAULT_MAX_ROWS, SIMPLE_TYPES, field_name_for


def rows_to_specs(rows: list[dict], *, previous: list[dict] = ()) -> list[dict]:
    """Field specs from the builder's cleaned rows; a kept label keeps its field name, so
    drafts and later versions line up."""
    names_by_label = {spec["label"]: spec["name"] for spec in previous}
    taken: set[str] = set()
    specs = []
    for row in rows:
        if not row or row.get("DELETE") or not row.get("label"):
            continue
        label = row["label"].strip()
        name = names_by_label.get(label)
        if name and name not in taken:
            taken.add(name)
        else:
            name = field_name_for(label, taken)
        spec = {
            "name": name,
            "label": label,
            "type": row["type"],
            "required": bool(row.get("required")),
            "help": row.get("help") or "",
        }
        if row["type"] in ("choice", "multichoice"):
            spec["choices"] = [
                c.strip() for c in (row.get("choices") or "").splitlines() if c.strip()
            ]
        if row["type"] == "number":
            # A template's bounds (e.g. at least 1 copy) stay when the form is edited.
            before = next((p for p in previous if p["name"] == name), {})
            spec |= {key: before[key] for key in ("min", "max") if key in before}
        if row["type"] == "file":
            spec["allowed_types"] = list(row.get("allowed_types") or [])
            if row.get("max_mb"):
                spec["max_bytes"] = int(row["max_mb"]) * 1024 * 1024
        if row["type"] == "group":
            subs, sub_taken = [], set()
            for line in (row.get("subfields") or "").splitlines():
                if not line.strip():
                    continue
                sub_label, _, sub_type = line.rpartition(":")
                sub_type = sub_type.strip() or "text"
                if not sub_label.strip():
                    sub_label, sub_type = line, "text"
                if sub_type not in SIMPLE_TYPES:
                    raise ValidationError(
                        "Type de sous-champ inconnu : « %(t)s ».", params={"t": sub_type}
                    )
                subs.append(
                    {
                        "name": field_name_for(sub_label.strip(), sub_taken),
                        "label": sub_label.strip(),
                        "type": sub_type,
                        "required": False,
                    }
                )
            spec["subfields"] = subs
            spec["max_rows"] = int(row.get("max_rows") or GROUP_DEFAULT_MAX_ROWS)
        specs.append((row.get("ORDER") or 10_000 + len(specs), spec))
    return [spec for _, spec in sorted(specs, key=lambda pair: pair[0])]


def specs_to_rows(specs: list[dict]) -> list[dict]:
    rows = []
    for index, spec in enumerate(specs, start=1):
        rows.append(
            {
                "label": spec["label"],
                "type": spec["type"],
                "required": spec.get("required"),
                "help": spec.get("help", ""),
                "choices": "\n".join(spec.get("choices") or []),
                "allowed_types": spec.get("allowed_types") or [],
                "max_mb": (spec["max_bytes"] // (1024 * 1024)) if spec.get("max_bytes") else None,
                "subfields": "\n".join(
                    f"{s['label']}:{s['type']}" for s in spec.get("subfields") or []
                ),
                "max_rows": spec.get("max_rows") if spec["type"] == "group" else None,
                "ORDER": index,
            }
        )
    return rows
