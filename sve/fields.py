"""Typed fields of a form version, and the Django form that validates a request against them.

A field spec is a dict: ``name``, ``label``, ``type`` (one of FIELD_TYPES), ``required``,
``help``; ``choices`` (list of labels) for choice types; ``min``, ``max`` (numbers, decimals
as strings) and ``integer`` for numbers; ``past_only`` for a date that cannot be in the
future (a birth, a marriage, a death); ``allowed_types`` (MIME types) and ``max_bytes`` for
files; ``subfields`` (specs of simple types) and ``max_rows`` for groups.

``TYPE_OPTIONS`` says which of these options each type has: the builder shows, keeps and
checks only those.

A group's rows are named ``<group>__<row>__<subfield>``; how many rows a form shows is
chosen per request (``rows``): the citizen adds and removes rows, up to ``max_rows``.
"""

import datetime
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils.text import slugify

from portal.formats import file_size, french_date
from portal.inputs import ROW_ID_MAX, number
from portal.uploads import DEFAULT_ALLOWED_TYPES, upload_check

FIELD_TYPES = {
    "text": "Texte court",
    "textarea": "Texte long",
    "email": "Courriel",
    "phone": "Téléphone",
    "date": "Date",
    "number": "Nombre",
    "choice": "Choix unique",
    "multichoice": "Choix multiple",
    "yesno": "Oui / non",
    "address": "Adresse postale",
    "file": "Fichier",
    "group": "Groupe répétable",
}
SIMPLE_TYPES = tuple(t for t in FIELD_TYPES if t not in ("file", "group"))
# The options that mean something for each type (the others are ignored by the builder).
TYPE_OPTIONS = {
    "choice": ("choices",),
    "multichoice": ("choices",),
    "number": ("min", "max", "integer"),
    "date": ("past_only",),
    "file": ("allowed_types", "max_bytes"),
    "group": ("subfields", "max_rows"),
}
NUMBER_DIGITS = 15
GROUP_DEFAULT_MAX_ROWS = 10
GROUP_MAX_ROWS = 50  # upper bound of the builder's setting

phone_validator = RegexValidator(
    r"^\+?[0-9 .()-]{10,20}$", "Saisissez un numéro de téléphone valide (10 chiffres)."
)


def field_name_for(label: str, taken: set[str]) -> str:
    base = slugify(label).replace("-", "_")[:40] or "champ"
    name, n = base, 2
    while name in taken:
        name, n = f"{base}_{n}", n + 1
    taken.add(name)
    return name


def _simple_field(spec: dict, *, required: bool) -> forms.Field:
    kind = spec["type"]
    common = {"label": spec["label"], "required": required, "help_text": spec.get("help", "")}
    choices = [(c, c) for c in spec.get("choices") or []]
    if kind == "text":
        return forms.CharField(max_length=300, **common)
    if kind in ("textarea", "address"):
        return forms.CharField(max_length=5000, widget=forms.Textarea(attrs={"rows": 3}), **common)
    if kind == "email":
        return forms.EmailField(**common)
    if kind == "phone":
        return forms.CharField(max_length=20, validators=[phone_validator], **common)
    if kind == "date":
        if spec.get("past_only"):
            # A birth, a marriage, a death: a day that has already come (issue 24 §3).
            return forms.DateField(
                widget=forms.DateInput(attrs={"type": "date", "max": _today_iso()}),
                validators=[not_in_future],
                **common,
            )
        return forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), **common)
    if kind == "number":
        # Bounds from the form's spec ("min", "max"), e.g. a number of copies is at least 1.
        low, high = number_bound(spec, "min"), number_bound(spec, "max")
        if spec.get("integer"):
            return forms.IntegerField(
                min_value=None if low is None else int(low),
                max_value=None if high is None else int(high),
                **common,
            )
        return forms.DecimalField(
            max_digits=NUMBER_DIGITS, decimal_places=4, min_value=low, max_value=high, **common
        )
    if kind == "choice":
        return forms.ChoiceField(choices=[("", "—")] + choices, **common)
    if kind == "multichoice":
        return forms.MultipleChoiceField(
            choices=choices, widget=forms.CheckboxSelectMultiple, **common
        )
    if kind == "yesno":
        return forms.TypedChoiceField(choices=[("", "—"), ("oui", "Oui"), ("non", "Non")], **common)
    raise ValueError(f"unknown field type {kind!r}")


def _today_iso() -> str:
    from django.utils import timezone

    return timezone.localdate().isoformat()


def not_in_future(value: datetime.date) -> None:
    from django.utils import timezone

    if value > timezone.localdate():
        raise ValidationError(
            "Cette date ne peut pas être dans le futur : indiquez une date passée ou "
            "d'aujourd'hui.",
            code="future",
        )


def number_bound(spec: dict, key: str) -> Decimal | None:
    """A number field's bound as a Decimal (stored as an int or a decimal string)."""
    value = spec.get(key)
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except ArithmeticError:
        return None


def _file_validator(spec: dict):
    allowed = {
        mime: DEFAULT_ALLOWED_TYPES[mime]
        for mime in spec.get("allowed_types") or DEFAULT_ALLOWED_TYPES
        if mime in DEFAULT_ALLOWED_TYPES
    }

    def validate(uploaded):
        upload_check(uploaded, allowed_types=allowed, max_bytes=spec.get("max_bytes") or None)

    return validate


def _file_hint(spec: dict) -> str:
    from portal.uploads import TYPE_LABELS, max_upload_bytes

    types = spec.get("allowed_types") or list(DEFAULT_ALLOWED_TYPES)
    hint = "Formats : {} ; {} maximum.".format(
        ", ".join(TYPE_LABELS.get(t, t) for t in types),
        file_size(spec.get("max_bytes") or max_upload_bytes()),
    )
    return f"{spec['help']} {hint}" if spec.get("help") else hint


def group_max_rows(spec: dict) -> int:
    return max(1, min(int(spec.get("max_rows") or GROUP_DEFAULT_MAX_ROWS), GROUP_MAX_ROWS))


def group_counts(specs: list[dict], data, *, prefix: str = "") -> dict[str, int]:
    """Rows of each group in submitted ``data`` (a QueryDict or dict): the count the page
    posted (``<prefix><group>__rows``) or, failing it, the highest row index sent."""
    keys = list(data.keys()) if data else []
    counts = {}
    for spec in specs:
        if spec["type"] != "group":
            continue
        name = f"{prefix}{spec['name']}__"
        count = 1
        # Read as numbers of any size (then bounded by the group's maximum).
        posted = number(data.get(f"{name}rows") if data else None, low=1, high=ROW_ID_MAX)
        count = posted or count
        for key in keys:
            index = key[len(name) :].split("__", 1)[0] if key.startswith(name) else ""
            if (row := number(index, low=0, high=ROW_ID_MAX)) is not None:
                count = max(count, row + 1)
        counts[spec["name"]] = max(1, min(count, group_max_rows(spec)))
    return counts


def build_form_class(
    specs: list[dict], *, draft: bool = False, rows: dict[str, int] | None = None
) -> type[forms.Form]:
    """A Django form for a version's fields; ``draft`` makes every field optional; ``rows``
    gives the number of rows of each group (default 1, at most the group's ``max_rows``)."""
    rows = rows or {}
    attrs: dict = {}
    for spec in specs:
        required = bool(spec.get("required")) and not draft
        if spec["type"] == "file":
            attrs[spec["name"]] = forms.FileField(
                label=spec["label"],
                required=required,
                help_text=_file_hint(spec),
                validators=[_file_validator(spec)],
            )
        elif spec["type"] == "group":
            count = max(1, min(rows.get(spec["name"], 1), group_max_rows(spec)))
            for row in range(count):
                for sub in spec.get("subfields") or []:
                    field = _simple_field(
                        sub, required=required and row == 0 and sub.get("required")
                    )
                    field.label = f"{spec['label']} n°{row + 1} — {sub['label']}"
                    attrs[f"{spec['name']}__{row}__{sub['name']}"] = field
        else:
            attrs[spec["name"]] = _simple_field(spec, required=required)
    return type("RequestDataForm", (forms.Form,), attrs)


def raw_values(form: forms.Form) -> dict:
    """What was typed in a bound form, field by field, as posted (files excepted: a browser
    cannot be given them back)."""
    return {
        name: form[name].data
        for name, field in form.fields.items()
        if not isinstance(field, forms.FileField)
    }


def group_rows_edit(
    specs: list[dict], *, rows: dict[str, int], values: dict, action: str
) -> tuple[dict[str, int], dict]:
    """Apply a row button of the filing page to the rows and the typed values: "ajouter:<group>"
    adds a row (up to the group's maximum), "supprimer:<group>:<row>" removes that row and
    moves the next ones up. Anything else changes nothing."""
    kind, _, rest = action.partition(":")
    group, _, index = rest.partition(":")
    spec = next((s for s in specs if s["type"] == "group" and s["name"] == group), None)
    if spec is None:
        return rows, values
    rows, values = dict(rows), dict(values)
    count = rows.get(group, 1)
    if kind == "ajouter":
        rows[group] = min(count + 1, group_max_rows(spec))
    elif kind == "supprimer" and (removed := number(index, low=0, high=count - 1)) is not None:
        subs = [sub["name"] for sub in spec.get("subfields") or []]
        for row in range(removed, count):
            for sub in subs:
                key = f"{group}__{row}__{sub}"
                if row + 1 < count:
                    values[key] = values.get(f"{group}__{row + 1}__{sub}")
                else:
                    values.pop(key, None)
        rows[group] = max(count - 1, 1)
    return rows, values


def form_layout(form: forms.Form, specs: list[dict]) -> list[dict]:
    """The form's fields in the order of the specs, each group with its rows, for templates."""
    items = []
    for spec in specs:
        name = spec["name"]
        if spec["type"] != "group":
            if name in form.fields:
                items.append({"field": form[name]})
            continue
        subs = [sub["name"] for sub in spec.get("subfields") or []]
        rows = []
        while subs and f"{name}__{len(rows)}__{subs[0]}" in form.fields:
            row = len(rows)
            rows.append({"index": row, "fields": [form[f"{name}__{row}__{sub}"] for sub in subs]})
        maximum = group_max_rows(spec)
        items.append(
            {
                "group": spec,
                "rows_name": form.add_prefix(f"{name}__rows"),
                "rows": rows,
                "maximum": maximum,
                "can_add": len(rows) < maximum,
            }
        )
    return items


def _jsonable(value):
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value.normalize())
    return value


def cleaned_to_data(specs: list[dict], cleaned: dict) -> tuple[dict, dict]:
    """(JSON data, {field name: uploaded file}) from a valid form's cleaned data."""
    data: dict = {}
    files: dict = {}
    for spec in specs:
        name = spec["name"]
        if spec["type"] == "file":
            if cleaned.get(name):
                files[name] = cleaned[name]
        elif spec["type"] == "group":
            rows = []
            for row in range(group_max_rows(spec)):
                values = {
                    sub["name"]: _jsonable(cleaned.get(f"{name}__{row}__{sub['name']}"))
                    for sub in spec.get("subfields") or []
                }
                if any(v not in (None, "", []) for v in values.values()):
                    rows.append(values)
            data[name] = rows
        else:
            value = cleaned.get(name)
            if value not in (None, "", []):
                data[name] = _jsonable(value)
    return data, files


def data_to_initial(specs: list[dict], data: dict) -> dict:
    initial: dict = {}
    for spec in specs:
        value = data.get(spec["name"])
        if spec["type"] == "group":
            for row, values in enumerate(value or []):
                for key, sub_value in values.items():
                    initial[f"{spec['name']}__{row}__{key}"] = sub_value
        elif value is not None:
            initial[spec["name"]] = value
    return initial


def _shown(spec: dict, value) -> str:
    """A value as the citizen reads it: dates in French (« 15 juin 2031 », portal.formats)."""
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    if spec.get("type") == "date":
        return french_date(value)
    return "" if value is None else str(value)


def summary(specs: list[dict], data: dict, filenames: dict[str, str]) -> list[tuple[str, str]]:
    """(label, text) pairs of what was sent, for the AEE and the request page."""
    lines = []
    for spec in specs:
        name = spec["name"]
        if spec["type"] == "file":
            if name in filenames:
                lines.append((spec["label"], filenames[name]))
        elif spec["type"] == "group":
            for row, values in enumerate(data.get(name) or []):
                text = " ; ".join(
                    f"{sub['label']} : {_shown(sub, values.get(sub['name'], ''))}"
                    for sub in spec.get("subfields") or []
                )
                lines.append((f"{spec['label']} n°{row + 1}", text))
        elif name in data:
            lines.append((spec["label"], _shown(spec, data[name])))
    return lines


def spec_errors(spec: dict, *, simple: bool = False) -> dict[str, str]:
    """What is wrong with one field spec, by option ("label", "type", "choices", "min", ...),
    in French; ``simple`` for a group's sub-field (no file, no nested group)."""
    errors: dict[str, str] = {}
    allowed = SIMPLE_TYPES if simple else FIELD_TYPES
    if spec.get("type") not in allowed:
        errors["type"] = f"Type de champ inconnu : {spec.get('type')}."
        return errors
    if not (spec.get("label") or "").strip():
        errors["label"] = "Donnez un libellé à ce champ."
    kind = spec["type"]
    if kind in ("choice", "multichoice"):
        choices = spec.get("choices") or []
        if not choices:
            errors["choices"] = "Indiquez au moins un choix (un par ligne)."
        elif len(set(choices)) != len(choices):
            errors["choices"] = "Chaque choix ne doit figurer qu'une fois."
    if kind == "number":
        low, high = number_bound(spec, "min"), number_bound(spec, "max")
        for key, bound in (("min", low), ("max", high)):
            if spec.get(key) not in (None, "") and bound is None:
                errors[key] = "Saisissez un nombre."
            elif bound is not None and spec.get("integer") and bound != bound.to_integral_value():
                errors[key] = "Pour un nombre entier, la borne doit être un nombre entier."
        if low is not None and high is not None and low > high:
            errors["max"] = "Le maximum doit être supérieur ou égal au minimum."
    if kind == "group":
        subs = spec.get("subfields") or []
        if not subs:
            errors["subfields"] = "Ajoutez au moins un sous-champ au groupe."
        for sub in subs:
            if not isinstance(sub, dict) or spec_errors(sub, simple=True):
                errors["subfields"] = "Corrigez les sous-champs du groupe."
                break
        names = [sub.get("name") for sub in subs if isinstance(sub, dict)]
        if len(set(names)) != len(names):
            errors["subfields"] = "Deux sous-champs portent le même nom."
    return errors


def specs_check(specs: list[dict]) -> None:
    """Reject malformed specs (builder and catalogue); French messages."""
    names = set()
    for spec in specs:
        errors = spec_errors(spec)
        if errors:
            label = spec.get("label") or "sans libellé"
            raise ValidationError(
                "Champ « %(l)s » : %(e)s", params={"l": label, "e": next(iter(errors.values()))}
            )
        if spec.get("name") in names:
            raise ValidationError("Deux champs portent le même nom.")
        names.add(spec.get("name"))
