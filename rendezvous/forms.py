"""Back-office forms: the commune's appointment configuration (services, places, types,
agents' openings and absences, visio and reminder settings)."""

from django import forms

from rendezvous.hours import DAYS, Hours, hours_problems
from rendezvous.models import (
    Absence,
    AppointmentType,
    Mode,
    OpeningRule,
    Place,
    RendezvousSettings,
    Service,
)
from rendezvous.services.configuration import (
    absence_check,
    absence_valid_from,
    opening_check,
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


class AgendaFilterForm(forms.Form):
    """The agenda's filters: whose appointments ("moi", "tous" or one agent's id) and where."""

    agent = forms.ChoiceField(label="Agent", required=False)
    lieu = forms.ChoiceField(label="Lieu", required=False)

    def __init__(self, *args, agents=(), places=(), **kwargs):
        """``agents``: (id, name) pairs; ``places``: (id, name) pairs."""
        super().__init__(*args, **kwargs)
        self.fields["agent"].choices = [("moi", "Mes rendez-vous"), ("tous", "Toute l'équipe")] + [
            (str(pk), label) for pk, label in agents
        ]
        self.fields["lieu"].choices = [("", "Tous les lieux")] + [
            (str(pk), name) for pk, name in places
        ]


class ServiceForm(forms.ModelForm):
    class Meta:
        model = Service
        fields = ["name", "description"]


class PlaceForm(forms.ModelForm):
    # Not a model field of the form: the "one reception" constraint would refuse moving the
    # mark; rendezvous.services.place_save moves it from the former reception instead.
    is_reception = forms.BooleanField(
        label="Accueil de la mairie",
        help_text="Ses horaires sont ceux affichés sur la page d'accueil de la commune.",
        required=False,
    )

    class Meta:
        model = Place
        fields = ["name", "address", "access_info"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["is_reception"].initial = self.instance.is_reception

    def place(self) -> Place:
        """The place as edited, not saved (rendezvous.services.place_save saves it)."""
        place = self.save(commit=False)
        place.is_reception = self.cleaned_data["is_reception"]
        return place


# Ranges a day may have on the place's form (morning, afternoon, evening), without JS.
RANGES_PER_DAY = 3


class HoursForm(forms.Form):
    """A place's weekly hours: a row per day, up to RANGES_PER_DAY ranges (opening and
    closing time) each; an empty row is a closed day."""

    def __init__(self, *args, hours: Hours | None = None, **kwargs):
        initial = {}
        for day, ranges in (hours or {}).items():
            for index, (opens, closes) in enumerate(ranges[:RANGES_PER_DAY]):
                initial[f"d{day}_{index}_opens"] = opens
                initial[f"d{day}_{index}_closes"] = closes
        super().__init__(*args, initial=initial, **kwargs)
        for day, name in enumerate(DAYS):
            for index in range(RANGES_PER_DAY):
                for end, label in (("opens", "ouverture"), ("closes", "fermeture")):
                    label = f"{name.capitalize()}, plage {index + 1}, {label}"
                    self.fields[f"d{day}_{index}_{end}"] = forms.TimeField(
                        label=label,
                        required=False,
                        # Named by aria-label: the rows show the day once, not 42 labels.
                        widget=forms.TimeInput(
                            attrs={"type": "time", "aria-label": label}, format="%H:%M"
                        ),
                    )
        self.day_errors: dict[int, list[str]] = {}

    def rows(self):
        """(day name, [(opening field, closing field), ...], errors) for the template."""
        return [
            (
                name.capitalize(),
                [
                    (self[f"d{day}_{i}_opens"], self[f"d{day}_{i}_closes"])
                    for i in range(RANGES_PER_DAY)
                ],
                self.day_errors.get(day, []),
            )
            for day, name in enumerate(DAYS)
        ]

    def clean(self):
        data = super().clean()
        hours: Hours = {}
        for day, name in enumerate(DAYS):
            ranges, problems = [], []
            for index in range(RANGES_PER_DAY):
                opens = data.get(f"d{day}_{index}_opens")
                closes = data.get(f"d{day}_{index}_closes")
                if opens is None and closes is None:
                    continue
                if opens is None or closes is None:
                    problems.append(f"Plage {index + 1} : indiquez l'ouverture et la fermeture.")
                    continue
                ranges.append((opens, closes))
            problems += hours_problems(ranges)
            if problems:
                self.day_errors[day] = problems
                for problem in problems:
                    self.add_error(None, f"{name.capitalize()} : {problem}")
            elif ranges:
                hours[day] = sorted(ranges)
        data["hours"] = hours
        return data


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

    def clean(self):
        data = super().clean()
        place, weekday = data.get("place"), data.get("weekday")
        start, end = data.get("start_time"), data.get("end_time")
        if place is None or weekday is None or start is None or end is None:
            return data
        opening_check(place=place, weekday=weekday, start_time=start, end_time=end)
        return data


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
        absence_check(**{name: data.get(name) for name in ABSENCE_TIMES})
        data["valid_from"] = absence_valid_from(
            weekday=data.get("weekday"), valid_from=data.get("valid_from")
        )
        return data


ABSENCE_TIMES = ("starts_at", "ends_at", "weekday", "start_time", "end_time")


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


# --- actions posted to an appointment's page (rendezvous.views.PostedAction) --------------


class DocumentForm(forms.Form):
    """A document added to an appointment (checked by content by services.document_add)."""

    fichier = forms.FileField(error_messages={"required": "Choisissez un fichier."})

    def clean(self):
        return {"uploaded": super().clean().get("fichier")}


class CancelForm(forms.Form):
    """An agent's cancellation: the reason told to the citizen (required by the service)."""

    reason = forms.CharField(required=False)


class MarkForm(forms.Form):
    """An agent marks an appointment seen or missed, with an optional recap."""

    recap = forms.CharField(required=False, strip=False)


class SurveyForm(forms.Form):
    """The citizen's satisfaction survey (the score is checked by services.survey_submit)."""

    score = forms.CharField(required=False)
    comment = forms.CharField(required=False, strip=False)
