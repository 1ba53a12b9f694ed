from decimal import Decimal

from django import forms
from django.forms import formset_factory

from billing.models import (
    ISSUER_FIELDS,
    BillingDocument,
    BillingProfile,
    Contest,
    Issuer,
    TariffLine,
    Titre,
)
from conventions.models import Application, ConventionModel
from portal.money import parse_euros


class EurosField(forms.CharField):
    """An amount typed in euros ("1 234,56"), cleaned to integer cents."""

    def clean(self, value):
        value = super().clean(value)
        if value in (None, ""):
            return None
        try:
            return parse_euros(value)
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from None


class CampaignForm(forms.Form):
    year = forms.IntegerField(label="Année facturée", min_value=2000, max_value=2100)
    models = forms.ModelMultipleChoiceField(
        label="Modèles de convention",
        queryset=ConventionModel.objects.filter(
            pricing__in=["population_share", "population_brackets", "packages"]
        ).order_by("name"),
        widget=forms.CheckboxSelectMultiple,
    )


class TariffForm(forms.Form):
    model = forms.ModelChoiceField(
        label="Modèle", queryset=ConventionModel.objects.order_by("name")
    )
    year = forms.IntegerField(label="Année", min_value=2000, max_value=2100)
    decision = forms.CharField(label="Décision (délibération, annexe)", required=False)
    document = forms.ChoiceField(
        label="Document adressé au membre",
        choices=BillingDocument.choices,
        initial=BillingDocument.TITRE,
        help_text="Mémoire quand la convention prévoit un règlement sur présentation d'un mémoire",
    )


class TariffLineForm(forms.Form):
    kind = forms.ChoiceField(label="Nature", choices=TariffLine.Kind.choices)
    application = forms.ModelChoiceField(
        label="Application", queryset=Application.objects.all(), required=False
    )
    code = forms.SlugField(label="Code (forfait, prestation)", required=False)
    label = forms.CharField(label="Libellé", max_length=200)
    amount = EurosField(
        label="Montant (€)", help_text="Coût annuel, tranche, forfait ou prix unitaire"
    )
    participation = EurosField(label="Participation de l'opérateur (€)", required=False)
    low = forms.IntegerField(label="Population à partir de", required=False, min_value=0)
    low_inclusive = forms.BooleanField(label="incluse", required=False, initial=True)
    high = forms.IntegerField(label="Population jusqu'à", required=False, min_value=0)
    high_inclusive = forms.BooleanField(label="incluse", required=False)
    unit_label = forms.CharField(label="Unité", required=False)
    vat_rate = forms.DecimalField(
        label="TVA (%)", min_value=0, max_value=100, decimal_places=2, initial=0
    )
    includes_vat = forms.BooleanField(label="Montant TTC", required=False)

    def line(self) -> TariffLine:
        data = self.cleaned_data
        return TariffLine(
            kind=data["kind"],
            application=data["application"],
            code=data["code"] or (data["application"].code if data["application"] else ""),
            label=data["label"],
            amount_cents=data["amount"],
            participation_cents=data["participation"] or 0,
            low=data["low"],
            low_inclusive=data["low_inclusive"],
            high=data["high"],
            high_inclusive=data["high_inclusive"],
            unit_label=data["unit_label"],
            vat_rate_bp=int(data["vat_rate"] * 100),
            includes_vat=data["includes_vat"],
        )


TariffLineFormSet = formset_factory(TariffLineForm, extra=3)


class TitreFilterForm(forms.Form):
    year = forms.IntegerField(label="Exercice", required=False)
    status = forms.ChoiceField(
        label="État", choices=[("", "Tous")] + list(Titre.Status.choices), required=False
    )
    member = forms.CharField(label="Membre", required=False)


class PaymentForm(forms.Form):
    paid_on = forms.DateField(label="Payé le", widget=forms.DateInput(attrs={"type": "date"}))
    amount = EurosField(label="Montant (€)")
    reference = forms.CharField(label="Référence", required=False, max_length=100)


class ContestForm(forms.Form):
    received_on = forms.DateField(label="Reçue le", widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label="Motif", widget=forms.Textarea(attrs={"rows": 3}))


class MemberContestForm(forms.Form):
    reason = forms.CharField(
        label="Motif de la contestation", widget=forms.Textarea(attrs={"rows": 4})
    )


class CorrectionForm(forms.Form):
    reason = forms.CharField(label="Motif de la correction", max_length=200)


class PopulationForm(forms.Form):
    collectivite = forms.IntegerField(widget=forms.HiddenInput)
    year = forms.IntegerField(label="Année facturée", min_value=2000, max_value=2100)
    population = forms.IntegerField(label="Population", min_value=1)
    source = forms.CharField(label="Source écrite", max_length=300)


CONTEST_MEANS = Contest.Means


class IssuerForm(forms.ModelForm):
    """The issuer as the titres print it (all fields required: see issuer_problems)."""

    class Meta:
        model = Issuer
        fields = ISSUER_FIELDS
        widgets = {
            "address": forms.Textarea(attrs={"rows": 3}),
            "accountant_address": forms.Textarea(attrs={"rows": 3}),
            "encashment_centre_address": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "signatory_title": "Imprimé sur chaque titre (CGCT L1617-5 4°).",
            "contest_email": "Adresse de contestation imprimée sur les titres (8 jours francs).",
            "court": "Tribunal devant lequel le débiteur conteste la créance (CGCT L1617-5 2°),"
            " ex. « le tribunal administratif de Marseille » (compétent pour les Hautes-Alpes)."
            " Une participation due par une commune au titre d'une convention entre personnes"
            " publiques est une créance de droit public : tribunal administratif.",
            "post_id": "Codique du poste comptable, 6 ou 7 chiffres, donné par le comptable.",
            "collectivity_code": "3 chiffres, donnés par le comptable (budget dans Hélios).",
            "budget_code": "2 caractères (ex. 00), donnés par le comptable.",
            "product_code": "Code produit local connu d'Hélios, 1 à 4 lettres ou chiffres.",
            "revenue_nature": "Compte de nature (chiffres), ex. 70688.",
            "function_code": "Fonction (M14, M52, M57, M71), chiffres ; vide sinon.",
            "first_bordereau_number": "Premier numéro de la série de bordereaux réservée au"
            " portail sur ce budget (ou 1 sur un budget propre) : Hélios refuse un numéro"
            " déjà connu.",
            "first_piece_number": "Premier numéro de la série de titres réservée au portail"
            " (s'applique à l'exercice dont aucun titre n'est encore émis).",
            "pes_dematerialised": "Coché : le fichier PES est préparé pour la signature"
            " électronique de l'ordonnateur dans un parapheur (le portail ne signe pas)."
            " Décoché : le bordereau imprimé est signé à la main.",
            "chorus_asap": "Hélios dépose l'avis des sommes à payer dans Chorus Pro pour les"
            " membres dont le SIRET est renseigné.",
            "asap_ref_bdf": "Référence Banque de France du budget, donnée par le comptable.",
            "encashment_centre_address": "Dernière ligne : code postal et commune.",
        }


class BillingProfileForm(forms.ModelForm):
    class Meta:
        model = BillingProfile
        fields = BillingProfile.EDITABLE_FIELDS
        widgets = {"address": forms.Textarea(attrs={"rows": 3})}
        help_texts = {
            "siret": "SIRET de la structure destinataire dans Chorus Pro.",
            "address": "Laisser vide pour utiliser l'adresse de la collectivité.",
            "email": "Reçoit les titres en plus des administrateurs de la commune.",
        }


class PackageForm(forms.Form):
    package_code = forms.ChoiceField(label="Forfait choisi")
    decided_by = forms.CharField(
        label="Délibération", max_length=200, required=False, help_text="ex. n° 2026-14 du 3 mars"
    )

    def __init__(self, *args, packages: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["package_code"].choices = [("", "—")] + packages


class ServiceUsageForm(forms.Form):
    convention = forms.TypedChoiceField(label="Convention", coerce=int)
    service_code = forms.ChoiceField(label="Prestation")
    used_on = forms.DateField(label="Date", widget=forms.DateInput(attrs={"type": "date"}))
    quantity = forms.DecimalField(
        label="Quantité", max_digits=8, decimal_places=2, min_value=Decimal("0.01")
    )
    note = forms.CharField(label="Objet", max_length=200, required=False)

    def __init__(self, *args, conventions, services: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["convention"].choices = [
            (c.pk, f"{c.reference} — {c.model.name}") for c in conventions
        ]
        self.fields["service_code"].choices = [("", "—")] + services
