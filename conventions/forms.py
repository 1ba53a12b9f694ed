"""Forms of the conventions pages (French labels; the services hold the rules)."""

from decimal import Decimal

from django import forms
from django.utils import timezone

from conventions.models import Application, ConventionModel, Notice
from tenants.models import Collectivite

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ConventionCreateForm(forms.Form):
    model = forms.ModelChoiceField(
        label="Modèle de convention", queryset=ConventionModel.objects.filter(is_offered=True)
    )
    collectivite = forms.ModelChoiceField(
        label="Collectivité",
        queryset=Collectivite.objects.members().exclude(status=Collectivite.Status.ARCHIVED),
    )
    applications = forms.ModelMultipleChoiceField(
        label="Applications",
        queryset=Application.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Aucune cochée : toutes les applications du modèle.",
    )
    commitment_euros = forms.DecimalField(
        label="Engagement financier (euros TTC)",
        required=False,
        min_value=Decimal("0"),
        decimal_places=2,
        help_text="Pour un modèle à seuil collectif.",
    )
    member_signatory = forms.CharField(label="Signataire pour la collectivité", required=False)
    member_signatory_title = forms.CharField(label="Qualité", required=False)
    operator_signatory = forms.CharField(label="Signataire pour l'opérateur", required=False)
    operator_signatory_title = forms.CharField(label="Qualité", required=False)


class SignForm(forms.Form):
    signed_on = forms.DateField(label="Signée le", widget=DATE)
    starts_on = forms.DateField(
        label="Date d'effet",
        required=False,
        widget=DATE,
        help_text="Vide : à compter de la signature.",
    )
    scan = forms.FileField(label="Scan signé (PDF)", required=False)


class ScanForm(forms.Form):
    scan = forms.FileField(label="Scan signé (PDF)")


class ReasonForm(forms.Form):
    reason = forms.CharField(label="Motif", widget=forms.Textarea(attrs={"rows": 3}))


class NoticeForm(forms.Form):
    party = forms.ChoiceField(label="Partie qui dénonce", choices=Notice.Party.choices)
    kind = forms.ChoiceField(label="Nature", choices=Notice.Kind.choices)
    received_on = forms.DateField(label="Reçue le", widget=DATE)
    means = forms.ChoiceField(label="Moyen", choices=Notice.Means.choices)
    tariff_notified_on = forms.DateField(
        label="Hausse de tarif notifiée le", required=False, widget=DATE
    )
    reason = forms.CharField(
        label="Motif", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    letter = forms.FileField(label="Courrier (PDF)", required=False)


class AmendmentForm(forms.Form):
    add = forms.ModelMultipleChoiceField(
        label="Applications à ajouter",
        queryset=Application.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    remove = forms.ModelMultipleChoiceField(
        label="Applications à retirer",
        queryset=Application.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    requested_on = forms.DateField(
        label="Demande reçue le", widget=DATE, initial=timezone.localdate
    )
    effective_on = forms.DateField(
        label="Prise d'effet",
        required=False,
        widget=DATE,
        help_text="Vide pour un modèle où l'avenant prend effet au 1er janvier suivant.",
    )
    note = forms.CharField(label="Objet", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, convention=None, **kwargs):
        super().__init__(*args, **kwargs)
        if convention is not None:
            offered = Application.objects.filter(convention_models=convention.model_id)
            self.fields["add"].queryset = offered
            self.fields["remove"].queryset = offered


class MemberAmendmentForm(AmendmentForm):
    """The commune admin's request: received today through the portal."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["requested_on"]


class MemberNoticeForm(forms.Form):
    reason = forms.CharField(
        label="Motif", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    letter = forms.FileField(label="Délibération ou courrier (PDF)", required=False)
    confirm = forms.BooleanField(
        label="Je confirme que la collectivité dénonce cette convention.",
        required=True,
        error_messages={"required": "Cochez la confirmation pour dénoncer."},
    )


class RefundForm(forms.Form):
    unused_euros = forms.DecimalField(
        label="Fonds non utilisés à restituer (euros)", min_value=Decimal("0"), decimal_places=2
    )


class YearForm(forms.Form):
    year = forms.IntegerField(label="Année", min_value=2000, max_value=2100)


class ListFilterForm(forms.Form):
    state = forms.ChoiceField(label="État", required=False)
    # A filter left empty keeps every row: "Tous"/"Toutes", not Django's "---------".
    model = forms.ModelChoiceField(
        label="Modèle", queryset=ConventionModel.objects.all(), required=False, empty_label="Tous"
    )
    application = forms.ModelChoiceField(
        label="Application",
        queryset=Application.objects.all(),
        required=False,
        to_field_name="code",
        empty_label="Toutes",
    )
    due_within = forms.TypedChoiceField(
        label="Prochaine échéance",
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "Toutes"), (31, "Dans le mois"), (90, "Dans les 3 mois")],
    )

    def __init__(self, *args, **kwargs):
        from conventions.models import Convention

        super().__init__(*args, **kwargs)
        self.fields["state"].choices = [("", "Tous")] + list(Convention.State.choices)
