"""Writes: the appointment settings a commune configures (services, types, openings,
absences, the reminder delay and visio provider), each recorded in the audit trail."""

from django import forms
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from portal.audit.trail import Actor, audit_action, audit_record
from portal.tenant_cache import tenant_cache_forget
from rendezvous import selectors
from rendezvous.models import RendezvousSettings

CONFIG_SAVED = audit_action("rendezvous.config_saved", _("Réglage des rendez-vous enregistré"))
SETTINGS_SAVED = audit_action("rendezvous.settings_saved", _("Réglages généraux des rendez-vous"))


def _changes(form: forms.ModelForm) -> dict:
    return {name: str(form.cleaned_data.get(name, "")) for name in form.changed_data}


@transaction.atomic
def config_save(*, acting_user: Actor, form: forms.ModelForm, section: str) -> object:
    """Save a validated configuration form (a service, a type, an opening, an absence):
    the object, its links, and one audit entry naming what changed."""
    created = form.instance.pk is None
    instance = form.save()
    audit_record(
        acting_user=acting_user,
        action=CONFIG_SAVED,
        target=instance,
        summary=f"{section} : « {instance} » {'créé' if created else 'modifié'}",
        details={"created": created, "changed": _changes(form)},
    )
    tenant_cache_forget(selectors.CATALOGUE_CACHE, selectors.SEARCH_CACHE)
    return instance


@transaction.atomic
def settings_save(*, acting_user: Actor, form: forms.ModelForm) -> RendezvousSettings:
    """Save the commune's appointment settings (reminder delay, visio provider)."""
    settings = form.save()
    audit_record(
        acting_user=acting_user,
        action=SETTINGS_SAVED,
        target=settings,
        summary="Réglages des rendez-vous : " + (", ".join(form.changed_data) or "inchangés"),
        details={"changed": _changes(form)},
    )
    return settings
