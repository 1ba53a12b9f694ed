"""The form builder's page model: its rows of fields (each group with its sub-field rows),
read from a POST, edited by the row buttons, turned into field specs and back.

A row is a dict of what was typed, option by option (lists of strings, as a QueryDict
gives them), with ``subs`` for a group's sub-fields. The page names its inputs
``champs-<i>-<option>`` and ``champs-<i>-sous-<j>-<option>``; the order of the indices is
the order of the fields (the JavaScript renumbers them when it moves rows).
"""

import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils.datastructures import MultiValueDict

from portal.inputs import number
from sve.fields import GROUP_DEFAULT_MAX_ROWS, TYPE_OPTIONS, field_name_for
from sve.forms import FieldRowForm, SubFieldRowForm

PREFIX = "champs"
FIELDS_MAX = 100  # rows read from one POST, at most
SUBFIELDS_MAX = 30
_KEY = re.compile(rf"^{PREFIX}-([0-9]+)-(?:sous-([0-9]+)-)?(\w+)$")
# Row options kept only for the types that have them (TYPE_OPTIONS speaks of specs; the
# builder's inputs for "max_bytes" and "subfields" are "max_mb" and the sub-field rows).
_ROW_OPTIONS = {"max_mb": "max_bytes", "legacy_subfields": "subfields", "number_kind": "integer"}


def _option_kept(option: str, kind: str) -> bool:
    spec_option = _ROW_OPTIONS.get(option, option)
    owners = [t for t, options in TYPE_OPTIONS.items() if spec_option in options]
    return not owners or kind in owners


def _only_type_options(row: dict) -> dict:
    kind = (row.get("type") or ["text"])[-1]
    return {k: v for k, v in row.items() if k == "subs" or _option_kept(k, kind)}


def _legacy_subs(text: str) -> list[dict]:
    """Sub-fields typed the old way, one ``libellé:type`` per line (forms saved or pages
    opened before sub-fields had their own rows)."""
    subs = []
    for line in text.splitlines():
        if not line.strip():
            continue
        label, _, kind = line.rpartition(":")
        if not label.strip():  # no type given: short text
            label, kind = line, "text"
        # An unknown type is kept: the sub-field's row shows it refused.
        subs.append({"label": [label.strip()], "type": [kind.strip() or "text"]})
    return subs


def builder_rows_read(data) -> list[dict]:
    """The builder's rows from POSTed ``data``, in index order; options that the row's type
    does not have are dropped (the page may post them, hidden)."""
    rows: dict[int, dict] = {}
    for key in data.keys():
        match = _KEY.match(key)
        if not match:
            continue
        index, sub, option = int(match[1]), match[2], match[3]
        if index >= FIELDS_MAX or (sub is not None and int(sub) >= SUBFIELDS_MAX):
            continue
        row = rows.setdefault(index, {"subs": {}})
        target = row["subs"].setdefault(int(sub), {}) if sub is not None else row
        target["legacy_subfields" if option == "subfields" else option] = data.getlist(key)
    result = []
    for _, row in sorted(rows.items()):
        subs = [_only_type_options(s) for _, s in sorted(row.pop("subs").items())]
        legacy = "".join(row.pop("legacy_subfields", []))
        row = _only_type_options(row)
        if (row.get("type") or [""])[-1] == "group":
            row["subs"] = subs or _legacy_subs(legacy)
        result.append(row)
    return result


def _move(items: list, index: int, step: int) -> list:
    items = list(items)
    other = index + step
    if 0 <= index < len(items) and 0 <= other < len(items):
        items[index], items[other] = items[other], items[index]
    return items


def builder_rows_edit(rows: list[dict], *, action: str) -> list[dict] | None:
    """Apply a row button of the builder (the page without JavaScript posts them):
    ``champ-ajouter``, ``champ-supprimer:<i>``, ``champ-monter:<i>``, ``champ-descendre:<i>``
    and the same with ``sous-`` and ``<i>:<j>`` for a group's sub-fields. None when
    ``action`` is not a row button."""
    what, _, where = action.partition(":")
    parsed = (number(n, low=0, high=FIELDS_MAX) for n in where.split(":"))
    indices = [n for n in parsed if n is not None]
    rows = [dict(row) for row in rows]
    if what == "champ-ajouter" and len(rows) < FIELDS_MAX:
        return rows + [builder_row_new()]
    if what.startswith("champ-") and len(indices) == 1:
        (i,) = indices
        if what == "champ-supprimer":
            return [row for n, row in enumerate(rows) if n != i]
        if what in ("champ-monter", "champ-descendre"):
            return _move(rows, i, -1 if what == "champ-monter" else 1)
    if what.startswith("sous-") and indices and indices[0] < len(rows):
        row = rows[indices[0]]
        subs = list(row.get("subs") or [])
        if what == "sous-ajouter" and len(subs) < SUBFIELDS_MAX:
            subs.append(builder_row_new(sub=True))
        elif len(indices) == 2 and what == "sous-supprimer":
            subs = [sub for n, sub in enumerate(subs) if n != indices[1]]
        elif len(indices) == 2 and what in ("sous-monter", "sous-descendre"):
            subs = _move(subs, indices[1], -1 if what == "sous-monter" else 1)
        row["subs"] = subs
        return rows
    return None if not what.startswith(("champ-", "sous-")) else rows


def builder_row_new(*, sub: bool = False) -> dict:
    """An empty row: short text, optional."""
    return {"label": [""], "type": ["text"]}


def builder_rows_from_specs(specs: list[dict]) -> list[dict]:
    """Rows of the builder for a version's stored fields (sub-fields stored the old way,
    ``libellé:type`` strings, are read too)."""

    def row_of(spec: dict) -> dict:
        row = {
            "label": [spec.get("label") or ""],
            "type": [spec.get("type") or "text"],
            "help": [spec.get("help") or ""],
            "choices": ["\n".join(spec.get("choices") or [])],
            "min": [str(spec["min"])] if spec.get("min") is not None else [],
            "max": [str(spec["max"])] if spec.get("max") is not None else [],
            "allowed_types": list(spec.get("allowed_types") or []),
            "max_mb": [str(spec["max_bytes"] // (1024 * 1024))] if spec.get("max_bytes") else [],
            "max_rows": [str(spec["max_rows"])] if spec.get("max_rows") else [],
        }
        if spec.get("required"):
            row["required"] = ["on"]
        if spec.get("past_only"):
            row["past_only"] = ["on"]
        # A number stored without "integer" (older forms) takes decimals.
        row["number_kind"] = ["entier" if spec.get("integer") else "decimal"]
        return _only_type_options(row)

    rows = []
    for spec in specs:
        row = row_of(spec)
        if spec.get("type") == "group":
            subs = spec.get("subfields") or []
            row["subs"] = [
                _legacy_subs(sub)[0] if isinstance(sub, str) else row_of(sub) for sub in subs
            ]
        rows.append(row)
    return rows


@dataclass
class BuilderRow:
    """One field of the page: its form, its place (``index``, and its group's ``parent``
    for a sub-field) and, for a group, its sub-field rows."""

    form: SubFieldRowForm
    index: int | str
    parent: int | str | None = None
    subs: list["BuilderRow"] = field(default_factory=list)

    @property
    def number(self):
        return self.index + 1 if isinstance(self.index, int) else ""

    @property
    def kind(self) -> str:
        return self.form["type"].value() or "text"

    @property
    def options(self) -> list[dict]:
        """The type options, each with the types that show it; hidden unless meaningful for
        the row's type (the script shows them when the type changes)."""
        return [
            {
                "field": self.form[name],
                "types": " ".join(kinds),
                "hidden": self.kind not in kinds,
            }
            for name, kinds in self.form.OPTION_INPUTS.items()
        ]

    def is_blank(self) -> bool:
        return self.form.is_blank() and all(sub.is_blank() for sub in self.subs)


def _prefixed(row: dict, prefix: str) -> MultiValueDict:
    return MultiValueDict({f"{prefix}-{k}": v for k, v in row.items() if k != "subs"})


def _initial(row: dict) -> dict:
    return {
        k: (v if k == "allowed_types" else (v[-1] if v else ""))
        for k, v in row.items()
        if k != "subs"
    }


def _row_form(cls, values: dict, prefix: str, *, bound: bool):
    if bound:
        return cls(_prefixed(values, prefix), prefix=prefix)
    return cls(prefix=prefix, initial=_initial(values))


def builder_forms(rows: list[dict], *, bound: bool) -> list[BuilderRow]:
    """The page's forms for ``rows``: bound (validated, errors shown) or only filled in
    (after a row button, nothing is checked yet). A group gets an empty sub-field row when
    it has none, to be filled in."""
    result = []
    for i, row in enumerate(rows):
        prefix = f"{PREFIX}-{i}"
        subs = list(row.get("subs") or [])
        if (row.get("type") or [""])[-1] == "group" and not subs:
            subs = [builder_row_new(sub=True)]
        result.append(
            BuilderRow(
                form=_row_form(FieldRowForm, row, prefix, bound=bound),
                index=i,
                subs=[
                    BuilderRow(
                        form=_row_form(SubFieldRowForm, sub, f"{prefix}-sous-{j}", bound=bound),
                        index=j,
                        parent=i,
                    )
                    for j, sub in enumerate(subs)
                ],
            )
        )
    return result


def builder_blank_rows() -> tuple[BuilderRow, BuilderRow]:
    """A field row and a sub-field row numbered ``__i__``/``__j__``: the page's templates,
    copied by its script for "Ajouter un champ" and "Ajouter un sous-champ"."""
    return (
        BuilderRow(form=FieldRowForm(prefix=f"{PREFIX}-__i__"), index="__i__"),
        BuilderRow(
            form=SubFieldRowForm(prefix=f"{PREFIX}-__i__-sous-__j__"), index="__j__", parent="__i__"
        ),
    )


def builder_specs(
    rows: list[BuilderRow], *, previous: list[dict] = (), partial: bool = False
) -> list[dict]:
    """Field specs from bound builder rows, in their order; blank rows are skipped. A kept
    label keeps its field name (and a sub-field's), so versions line up. Raises a French
    ValidationError when a row has errors (each shown beside its input), unless ``partial``
    (the preview): then the rows with errors are left out."""
    before = {spec["label"]: spec for spec in previous}
    taken: set[str] = set()
    specs = []
    invalid = False
    for row in rows:
        if row.is_blank():
            continue
        valid = row.form.is_valid()
        sub_forms = [sub.form for sub in row.subs if not sub.is_blank()]
        valid = all([sub.is_valid() for sub in sub_forms]) and valid
        if valid and row.kind == "group" and not sub_forms:
            row.form.add_error(None, "Ajoutez au moins un sous-champ au groupe.")
            valid = False
        if not valid:
            invalid = True
            continue
        spec = row.form.spec()
        old = before.get(spec["label"], {})
        name = old.get("name")
        spec["name"] = name if name and name not in taken else field_name_for(spec["label"], taken)
        taken.add(spec["name"])
        if row.kind == "group":
            old_subs = {
                s["label"]: s["name"] for s in old.get("subfields") or [] if isinstance(s, dict)
            }
            sub_taken: set[str] = set()
            spec["subfields"] = []
            for sub in sub_forms:
                sub_spec = sub.spec()
                sub_name = old_subs.get(sub_spec["label"])
                if not sub_name or sub_name in sub_taken:
                    sub_name = field_name_for(sub_spec["label"], sub_taken)
                sub_taken.add(sub_name)
                spec["subfields"].append({"name": sub_name, **sub_spec})
            spec["max_rows"] = spec.get("max_rows") or GROUP_DEFAULT_MAX_ROWS
        specs.append(spec)
    if invalid and not partial:
        raise ValidationError("Certains champs sont à corriger : voyez les messages en rouge.")
    return specs
