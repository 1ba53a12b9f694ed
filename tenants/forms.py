"""Forms of the tenants app: they parse input; the rules live in services and theming."""

from django import forms
from django.core.exceptions import ValidationError

from portal.catalogue import application_choices, default_service_codes
from portal.onboarding import onboarding_steps
from tenants.models import Collectivite, Membership
from tenants.theming import LOGO_MAX_BYTES, logo_check, primary_color_check

EMAIL_ERRORS = {"invalid": "Saisissez une adresse électronique valide."}


class OnboardForm(forms.Form):
    commune = forms.CharField(
        label="Commune",
        required=False,
        help_text="Nom ou code INSEE ; choisissez dans la liste proposée.",
    )
    insee_code = forms.CharField(label="Code INSEE", max_length=5)
    slug = forms.CharField(
        label="Identifiant de l'espace",
        max_length=50,
        help_text="Lettres minuscules, chiffres et tirets ; l'adresse sera <identifiant>.<domaine>.",
    )
    extra_domains = forms.CharField(
        label="Autres domaines (facultatif)",
        required=False,
        help_text="Un domaine par ligne, par exemple demarches.ma-commune.fr.",
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    services = forms.MultipleChoiceField(
        label="Applications utilisées",
        choices=application_choices,
        initial=default_service_codes,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choisissez au moins une application."},
    )
    referent_first_name = forms.CharField(label="Prénom du référent", max_length=150)
    referent_last_name = forms.CharField(label="Nom du référent", max_length=150)
    referent_email = forms.EmailField(
        label="Adresse électronique du référent", error_messages=EMAIL_ERRORS
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The apps' own questions (portal.onboarding), e.g. conventions' draft convention.
        self.step_names = []
        for step in onboarding_steps():
            for name, field in step.fields().items():
                self.fields[name] = field
                self.step_names.append(name)

    def step_fields(self):
        return [self[name] for name in self.step_names]

    def step_values(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in self.step_names}

    def clean_extra_domains(self):
        raw = self.cleaned_data.get("extra_domains", "")
        return tuple(line.strip().lower() for line in raw.splitlines() if line.strip())


class SuspendForm(forms.Form):
    reason = forms.CharField(
        label="Motif de la suspension",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Il est affiché aux agents de la collectivité.",
    )


class ArchiveForm(forms.Form):
    confirm_slug = forms.CharField(label="Recopiez l'identifiant de la collectivité")

    def __init__(self, *args, collectivite: Collectivite, **kwargs):
        super().__init__(*args, **kwargs)
        self.collectivite = collectivite

    def clean_confirm_slug(self):
        value = self.cleaned_data["confirm_slug"].strip()
        if value != self.collectivite.slug:
            raise forms.ValidationError("L'identifiant recopié ne correspond pas.")
        return value


class LookForm(forms.ModelForm):
    primary_color = forms.CharField(
        label="Couleur principale",
        required=False,
        max_length=7,
        help_text="Format #rrggbb. Le texte blanc doit rester lisible (contraste AA ≥ 4,5:1).",
        widget=forms.TextInput(attrs={"type": "color"}),
    )
    logo = forms.FileField(
        label="Logo",
        required=False,
        help_text=f"PNG, JPEG ou WebP, {LOGO_MAX_BYTES // 1024} Ko au plus, "
        "côtés entre 32 et 2000 pixels.",
    )
    remove_logo = forms.BooleanField(label="Retirer le logo", required=False)

    class Meta:
        model = Collectivite
        fields = [
            "contact_address",
            "contact_phone",
            "contact_email",
            "dpo_name",
            "dpo_email",
            "publication_director",
            "accessibility_status",
            "accessibility_audit",
        ]
        help_texts = {
            "publication_director": "Nom et qualité, par exemple « Marie Durand, maire ». "
            "Affiché dans les mentions légales.",
            "accessibility_status": "Sans audit RGAA, le site est « non conforme ».",
            "accessibility_audit": "Date, auditeur et taux de conformité du dernier audit, "
            "s'il y en a eu un. Affiché dans la déclaration d'accessibilité.",
        }
        widgets = {
            "contact_address": forms.Textarea(attrs={"rows": 3}),
            "accessibility_audit": forms.Textarea(attrs={"rows": 3}),
        }

    def clean_primary_color(self):
        value = self.cleaned_data.get("primary_color", "")
        return primary_color_check(value) if value else ""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Left out (older clients, other forms posting here): keeps "non conforme".
        self.fields["accessibility_status"].required = False

    def clean_accessibility_status(self):
        return self.cleaned_data.get("accessibility_status") or Collectivite.Accessibility.NONE

    def clean_logo(self):
        uploaded = self.cleaned_data.get("logo")
        return logo_check(uploaded) if uploaded else None


class InviteForm(forms.Form):
    email = forms.EmailField(label="Adresse électronique", error_messages=EMAIL_ERRORS)
    first_name = forms.CharField(label="Prénom", max_length=150, required=False)
    last_name = forms.CharField(label="Nom", max_length=150, required=False)
    title = forms.CharField(
        label="Qualité",
        max_length=150,
        required=False,
        help_text="Par exemple « Secrétaire de mairie » : elle figure sur les décisions signées.",
    )
    role = forms.ChoiceField(
        label="Rôle", choices=Membership.Role.choices, initial=Membership.Role.AGENT
    )


def form_errors_add(form, exc: ValidationError) -> None:
    """A service's errors on the form: by field when the form has it, else on top."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)
