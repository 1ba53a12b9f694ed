"""Back-office forms: the commune's appointment configuration (services, places, types,
agents' openings and absences, visio and reminder settings)."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from rendezvous.models import (
    Absence,
    AppointmentType,
    Mode,
    OpeningRule,
    Place,
    RendezvousSettings,
    Service,
)


class _AgentChoiceMixin:
    def __init__(self, *args, agents=None, **kwargs):
        super().__init__(*args, **kwargs)
        if "agent_id" in self.fields:
            self.fields["agent_id"] = forms.TypedChoiceField(
                label="Agent",
                coerce=int,
                choices=[(pk, u.get_full_name() or u.email) for pk, u in (agents or {}).items()],
            )


class ServiceForm(forms.ModelForm):
    class Meta:
        model = Service
        fields = ["name", "description"]


class PlaceForm(forms.ModelForm):
    class Meta:
        model = Place
        fields = ["name", "address", "opening_hours", "access_info"]


class TypeForm(forms.ModelForm):
    modes = forms.MultipleChoiceField(
        label="Modalités", choices=Mode.choices, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = AppointmentType
        fields = [
            "service",
            "name",
            "description",
            "keywords",
            "duration_minutes",
            "modes",
            "documents_to_bring",
            "min_delay_hours",
            "max_delay_days",
            "cancellable_until_hours",
            "buffer_minutes",
            "is_active",
        ]


class RuleForm(_AgentChoiceMixin, forms.ModelForm):
    class Meta:
        model = OpeningRule
        fields = [
            "agent_id",
            "place",
            "types",
            "weekday",
            "start_time",
            "end_time",
            "valid_from",
            "valid_until",
        ]
        widgets = {"types": forms.CheckboxSelectMultiple}


class AbsenceForm(_AgentChoiceMixin, forms.ModelForm):
    class Meta:
        model = Absence
        fields = [
            "agent_id",
            "reason",
            "starts_at",
            "ends_at",
            "weekday",
            "start_time",
            "end_time",
            "valid_from",
            "valid_until",
        ]

    def clean(self):
        data = super().clean()
        one_off = data.get("starts_at") and data.get("ends_at")
        weekly = data.get("weekday") is not None and data.get("start_time") and data.get("end_time")
        if bool(one_off) == bool(weekly):
            raise ValidationError(
                "Indiquez soit un début et une fin (absence ponctuelle), soit un jour et des "
                "horaires (absence chaque semaine)."
            )
        if one_off and data["ends_at"] <= data["starts_at"]:
            raise ValidationError("La fin de l'absence doit suivre son début.")
        if weekly and data["end_time"] <= data["start_time"]:
            raise ValidationError("L'heure de fin doit suivre l'heure de début.")
        if weekly and not data.get("valid_from"):
            data["valid_from"] = timezone.localdate()
        return data


class SettingsForm(forms.ModelForm):
    visio_base_url = forms.URLField(
        label="Adresse du service de visio (compatible Jitsi)",
        required=False,
        assume_scheme="https",
        help_text="Vide : le service par défaut de la plateforme.",
    )

    class Meta:
        model = RendezvousSettings
        fields = ["visio_base_url", "reminder_hours"]
