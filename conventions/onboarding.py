"""Conventions' step of the onboarding wizard (issue 9), registered in portal.onboarding so
that tenants, which conventions builds on, runs it without importing conventions."""

from django import forms

from conventions.models import ConventionModel
from conventions.services import convention_create
from portal.audit.trail import Actor
from portal.onboarding import OnboardingStep


def _fields() -> dict[str, forms.Field]:
    return {
        "convention_model": forms.ModelChoiceField(
            label="Modèle de convention (brouillon créé)",
            queryset=ConventionModel.objects.filter(is_offered=True),
            required=False,
            empty_label="Aucune convention pour l'instant",
        )
    }


def convention_draft_for_onboarded(
    *, collectivite, services: list[str], values: dict, acting_user: Actor
) -> None:
    """A draft convention of the chosen model, covering the chosen applications the model
    offers (all of the model's when none of them was chosen); none when no model was."""
    model = values.get("convention_model")
    if model is None:
        return
    offered = [app for app in model.applications.all() if app.code in services]
    convention_create(
        model=model,
        collectivite=collectivite,
        applications=offered or None,
        acting_user=acting_user if acting_user.pk else None,
    )


STEP = OnboardingStep(fields=_fields, run=convention_draft_for_onboarded)
