"""Django forms of the SVE pages (the request's own fields come from sve.fields)."""

from django import forms

from portal.uploads import DEFAULT_ALLOWED_TYPES, TYPE_LABELS, upload_check
from portal.widgets import QuickSelect
from sve.deadlines import AR_SOON_WORKING_DAYS
from sve.fields import (
    FIELD_TYPES,
    GROUP_DEFAULT_MAX_ROWS,
    GROUP_MAX_ROWS,
    NUMBER_DIGITS,
    SIMPLE_TYPES,
    spec_errors,
)
from sve.models import Regime, Status


class IdentityForm(forms.Form):
    # CRPA R112-9-1: name, first name, postal address and e-mail of the applicant.
    last_name = forms.CharField(label="Nom", max_length=150)
    first_name = forms.CharField(label="Prénom", max_length=150)
    postal_address = forms.CharField(
        label="Adresse postale", max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )
    email = forms.EmailField(label="Adresse électronique")


def _checked_file(uploaded):
    upload_check(uploaded)


class QualifyForm(forms.Form):
    regime = forms.ChoiceField(label="Régime du silence", choices=Regime.choices)


class PiecesForm(forms.Form):
    items = forms.CharField(
        label="Pièces ou informations manquantes", widget=forms.Textarea(attrs={"rows": 3})
    )
    due_on = forms.DateField(
        label="À fournir avant le", widget=forms.DateInput(attrs={"type": "date"})
    )


class DecideForm(forms.Form):
    decision = forms.ChoiceField(
        label="Décision", choices=[("accept", "Acceptation"), ("reject", "Refus")]
    )
    reasons = forms.CharField(
        label="Motifs (obligatoires pour un refus)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    # Set by the preview page's "Confirmer" button: the letter goes out only then.
    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)


class CloseForm(forms.Form):
    reasons = forms.CharField(label="Motif", required=False, max_length=2000)


class HandleForm(forms.Form):
    note = forms.CharField(
        label="Réponse ou suite donnée (envoyée à l'usager)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class NoteForm(forms.Form):
    body = forms.CharField(label="Note interne", widget=forms.Textarea(attrs={"rows": 3}))


class MessageForm(forms.Form):
    body = forms.CharField(label="Message", widget=forms.Textarea(attrs={"rows": 3}))
    attachment = forms.FileField(label="Pièce jointe", required=False, validators=[_checked_file])


class CompleteForm(forms.Form):
    comment = forms.CharField(
        label="Commentaire", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    piece = forms.FileField(label="Pièce", required=False, validators=[_checked_file])


class FilterForm(forms.Form):
    # QuickSelect: the table's filter bar is rendered on every load (issue 11 §4).
    q = forms.CharField(label="Référence ou nom", required=False)
    status = forms.ChoiceField(
        label="Statut",
        widget=QuickSelect,
        required=False,
        choices=[("", "Tous")] + [c for c in Status.choices if c[0] != Status.DRAFT],
    )
    form = forms.ChoiceField(label="Démarche", required=False, widget=QuickSelect)
    assignee = forms.ChoiceField(label="Agent", required=False, widget=QuickSelect)
    window = forms.TypedChoiceField(
        label="Échéance",
        widget=QuickSelect,
        required=False,
        coerce=int,
        empty_value=None,
        choices=[
            ("", "Toutes"),
            ("7", "Sous 7 jours"),
            ("15", "Sous 15 jours"),
            ("30", "Sous 30 jours"),
        ],
    )
    ar = forms.ChoiceField(
        label="Accusé de réception",
        widget=QuickSelect,
        required=False,
        choices=[
            ("", "Tous"),
            ("late", f"En retard ou dû sous {AR_SOON_WORKING_DAYS} jours ouvrés"),
        ],
    )
    sort = forms.ChoiceField(
        label="Tri",
        widget=QuickSelect,
        required=False,
        choices=[
            ("echeance", "Échéance la plus proche"),
            ("-echeance", "Échéance la plus lointaine"),
            ("-reception", "Plus récentes"),
            ("reception", "Plus anciennes"),
            ("ar", "Échéance de l'AR"),
        ],
    )

    def __init__(self, *args, forms_choices=(), agents=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["form"].choices = [("", "Toutes")] + list(forms_choices)
        self.fields["assignee"].choices = [("", "Tous"), ("aucun", "Non attribuées")] + [
            (str(u.pk), u.label) for u in agents
        ]


class FormSettingsForm(forms.Form):
    title = forms.CharField(label="Titre", max_length=200)
    description = forms.CharField(
        label="Présentation", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    regime = forms.ChoiceField(label="Régime du silence", choices=Regime.choices)
    asks_decision = forms.BooleanField(
        label="Demande une décision de la mairie",
        help_text="Décochez pour un signalement ou une question : l'usager reçoit un "
        "accusé de réception sans date de décision implicite, et la demande est close comme "
        "traitée.",
        required=False,
    )
    delay_months = forms.IntegerField(
        label="Délai de décision implicite (mois)", min_value=0, max_value=24, initial=2
    )
    delay_days = forms.IntegerField(label="et jours", min_value=0, max_value=365, initial=0)
    service_name = forms.CharField(label="Service instructeur", max_length=200)
    service_address = forms.CharField(
        label="Adresse postale du service", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    service_email = forms.EmailField(label="Courriel du service", required=False)
    service_phone = forms.CharField(label="Téléphone du service", max_length=30, required=False)
    appeal_routes = forms.CharField(
        label="Voies de recours (SVR)", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class SubFieldRowForm(forms.Form):
    """One field of the builder with the options of simple types (a group's sub-field)."""

    TYPES = SIMPLE_TYPES

    label = forms.CharField(label="Libellé", max_length=200, required=False)
    type = forms.ChoiceField(label="Type", initial="text")
    required = forms.BooleanField(label="Obligatoire", required=False)
    choices = forms.CharField(
        label="Choix proposés",
        help_text="Un choix par ligne.",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    min = forms.DecimalField(
        label="Minimum", required=False, max_digits=NUMBER_DIGITS, decimal_places=4
    )
    max = forms.DecimalField(
        label="Maximum", required=False, max_digits=NUMBER_DIGITS, decimal_places=4
    )
    number_kind = forms.ChoiceField(
        label="Nombre accepté",
        choices=[("entier", "Nombre entier"), ("decimal", "Nombre décimal (avec virgule)")],
        initial="entier",
        required=False,
        widget=forms.RadioSelect,
    )
    past_only = forms.BooleanField(
        label="Date passée uniquement (naissance, mariage, décès…)", required=False
    )

    # Which inputs each type shows (sve.fields.TYPE_OPTIONS: the others are ignored).
    OPTION_INPUTS = {
        "choices": ("choice", "multichoice"),
        "min": ("number",),
        "max": ("number",),
        "number_kind": ("number",),
        "past_only": ("date",),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["type"].choices = [(t, FIELD_TYPES[t]) for t in self.TYPES]

    def is_blank(self) -> bool:
        """Nothing typed: an added row left empty is skipped, not refused."""
        return not any(
            (self[name].value() or "").strip()
            for name in ("label", "choices")
            if name in self.fields
        ) and not (self["help"].value() if "help" in self.fields else "")

    def spec(self) -> dict:
        """The field spec (without its name) of a valid row: only the type's options."""
        data = self.cleaned_data
        kind = data["type"]
        spec = {"label": data["label"].strip(), "type": kind, "required": data["required"]}
        if "help" in data:
            spec["help"] = data["help"].strip()
        if kind in ("choice", "multichoice"):
            spec["choices"] = _lines(data.get("choices"))
        if kind == "number":
            spec["integer"] = data.get("number_kind") != "decimal"
            for key in ("min", "max"):
                if data.get(key) is not None:
                    spec[key] = _bound_json(data[key], integer=spec["integer"])
        if kind == "date" and data.get("past_only"):
            spec["past_only"] = True
        return spec

    def clean(self):
        cleaned = super().clean()
        if self.is_blank() or "type" not in cleaned:
            return cleaned
        spec = self.spec_draft(cleaned)
        for option, message in spec_errors(spec, simple=self.TYPES == SIMPLE_TYPES).items():
            if option in self.fields and option not in self.errors:
                self.add_error(option, message)
            elif option != "subfields":
                self.add_error(None, message)
        return cleaned

    def spec_draft(self, cleaned: dict) -> dict:
        spec = {
            "label": cleaned.get("label") or "",
            "type": cleaned["type"],
            "choices": _lines(cleaned.get("choices")),
            "integer": cleaned.get("number_kind") != "decimal",
        }
        for key in ("min", "max"):
            if cleaned.get(key) is not None:
                spec[key] = str(cleaned[key])
        if cleaned["type"] == "group":
            spec["subfields"] = [{"name": "-", "label": "-", "type": "text"}]
        return spec


class FieldRowForm(SubFieldRowForm):
    """One field of the builder, every type: adds help text, file and group options."""

    TYPES = tuple(FIELD_TYPES)

    help = forms.CharField(label="Aide affichée sous le champ", required=False, max_length=300)
    allowed_types = forms.MultipleChoiceField(
        label="Types de fichier acceptés",
        required=False,
        choices=[(m, TYPE_LABELS[m]) for m in DEFAULT_ALLOWED_TYPES],
        widget=forms.CheckboxSelectMultiple,
        help_text="Tous les types courants si aucun n'est coché.",
    )
    max_mb = forms.IntegerField(
        label="Taille maximale (Mo)", required=False, min_value=1, max_value=50
    )
    max_rows = forms.IntegerField(
        label="Nombre de lignes au plus",
        required=False,
        min_value=1,
        max_value=GROUP_MAX_ROWS,
        help_text=f"{GROUP_DEFAULT_MAX_ROWS} si vide.",
    )

    OPTION_INPUTS = {
        **SubFieldRowForm.OPTION_INPUTS,
        "allowed_types": ("file",),
        "max_mb": ("file",),
        "max_rows": ("group",),
    }

    field_order = ["label", "type", "required", "help"]

    def spec(self) -> dict:
        spec = super().spec()
        data = self.cleaned_data
        if spec["type"] == "file":
            spec["allowed_types"] = list(data.get("allowed_types") or [])
            if data.get("max_mb"):
                spec["max_bytes"] = data["max_mb"] * 1024 * 1024
        if spec["type"] == "group":
            spec["max_rows"] = data.get("max_rows") or GROUP_DEFAULT_MAX_ROWS
        return spec


def _lines(text: str | None) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _bound_json(value, *, integer: bool):
    """A number bound as stored in the spec: an int, or a decimal as a string (JSON has no
    exact decimals)."""
    if integer or value == value.to_integral_value():
        return int(value)
    return format(value.normalize(), "f")
