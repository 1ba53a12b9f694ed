"""Django forms of the SVE pages (the request's own fields come from sve.fields)."""

from django import forms

from portal.uploads import DEFAULT_ALLOWED_TYPES, TYPE_LABELS, upload_check
from portal.widgets import QuickSelect
from sve.fields import FIELD_TYPES, GROUP_DEFAULT_MAX_ROWS, GROUP_MAX_ROWS, SIMPLE_TYPES
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


class CloseForm(forms.Form):
    reasons = forms.CharField(label="Motif", required=False, max_length=2000)


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
        choices=[("", "Tous"), ("late", "En retard ou dû sous 3 jours ouvrés")],
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


class FieldRowForm(forms.Form):
    label = forms.CharField(label="Libellé", max_length=200)
    # An initial value, so that an untouched extra row (type posted as "text") stays empty.
    type = forms.ChoiceField(label="Type", choices=list(FIELD_TYPES.items()), initial="text")
    required = forms.BooleanField(label="Obligatoire", required=False)
    help = forms.CharField(label="Aide", required=False, max_length=300)
    choices = forms.CharField(
        label="Choix (un par ligne)", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    allowed_types = forms.MultipleChoiceField(
        label="Types de fichier acceptés",
        required=False,
        choices=[(m, TYPE_LABELS[m]) for m in DEFAULT_ALLOWED_TYPES],
        widget=forms.CheckboxSelectMultiple,
    )
    max_mb = forms.IntegerField(label="Taille max. (Mo)", required=False, min_value=1, max_value=50)
    subfields = forms.CharField(
        label="Sous-champs du groupe (« libellé:type » par ligne)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Types : " + ", ".join(SIMPLE_TYPES),
    )
    max_rows = forms.IntegerField(
        label="Lignes au plus (groupe)",
        required=False,
        min_value=1,
        max_value=GROUP_MAX_ROWS,
        help_text=f"{GROUP_DEFAULT_MAX_ROWS} si vide",
    )


FieldFormSet = forms.formset_factory(FieldRowForm, extra=2, can_delete=True, can_order=True)
