"""Writes: the appointment configuration a commune sets (services, types, agents' openings
and absences, the reminder delay and visio provider).

Each service locks the row it changes, validates the values (the model's own checks and
the rules below, French messages), saves in one transaction and records one audit entry
naming what changed; nothing is written when a value is refused.
"""

from datetime import date, datetime, time

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.audit.trail import Actor, audit_action, audit_record
from portal.tenant_cache import tenant_cache_forget
from rendezvous import selectors
from rendezvous.hours import DAYS, hours_fit, ranges_text
from rendezvous.models import (
    Absence,
    AppointmentType,
    OpeningRule,
    Place,
    RendezvousSettings,
    Service,
)

SERVICE_SAVED = audit_action("rendezvous.service_saved", _("Service de rendez-vous enregistré"))
TYPE_SAVED = audit_action("rendezvous.type_saved", _("Type de rendez-vous enregistré"))
OPENING_SAVED = audit_action("rendezvous.opening_saved", _("Plage d'ouverture enregistrée"))
ABSENCE_SAVED = audit_action("rendezvous.absence_saved", _("Absence d'un agent enregistrée"))
SETTINGS_SAVED = audit_action("rendezvous.settings_saved", _("Réglages généraux des rendez-vous"))


def _locked(model: type[models.Model], instance: models.Model | None) -> models.Model:
    """The row as stored, locked until commit (a new, unsaved one for None)."""
    if instance is None or instance.pk is None:
        return model()
    return model.objects.select_for_update().get(pk=instance.pk)


def _save(
    *,
    acting_user: Actor,
    row: models.Model,
    values: dict,
    action: str,
    what: str,
    related: dict[str, list] | None = None,
) -> models.Model:
    """Set ``values`` (and the many-to-many ``related``) on the locked ``row``, validate,
    save, and record one entry naming the fields that changed."""
    created = row.pk is None
    before = {} if created else {name: getattr(row, name) for name in values}
    for name, value in values.items():
        setattr(row, name, value)
    row.full_clean()
    row.save()
    changed = {
        name: str(value) for name, value in values.items() if created or before[name] != value
    }
    for name, objects in (related or {}).items():
        manager = getattr(row, name)
        kept = set() if created else set(manager.values_list("pk", flat=True))
        if kept != {obj.pk for obj in objects}:
            changed[name] = ", ".join(str(obj) for obj in objects)
        manager.set(objects)
    audit_record(
        acting_user=acting_user,
        action=action,
        target=row,
        summary=f"{what} : « {row} » {'créé' if created else 'modifié'}",
        details={"created": created, "changed": changed},
    )
    # The visitors' pages list services, types and places from a cache.
    tenant_cache_forget(selectors.CATALOGUE_CACHE, selectors.SEARCH_CACHE)
    return row


@transaction.atomic
def service_save(
    *, acting_user: Actor, service: Service | None = None, name: str, description: str = ""
) -> Service:
    """Create or change a service. Its types' search text names the service: a renamed
    service's types are found by the new name at once."""
    row = _locked(Service, service)
    renamed = row.pk is not None and row.name != name
    row = _save(
        acting_user=acting_user,
        row=row,
        values={"name": name, "description": description},
        action=SERVICE_SAVED,
        what="Service",
    )
    if renamed:
        for kind in row.types.all():
            kind.service = row
            kind.save(update_fields=["search_text"])  # AppointmentType.save recomputes it
    return row


@transaction.atomic
def type_save(
    *,
    acting_user: Actor,
    appointment_type: AppointmentType | None = None,
    service: Service,
    name: str,
    duration_minutes: int,
    modes: list[str],
    min_delay_hours: int,
    max_delay_days: int,
    cancellable_until_hours: int,
    buffer_minutes: int,
    is_active: bool,
    description: str = "",
    keywords: str = "",
    documents_to_bring: str = "",
) -> AppointmentType:
    """Create or change an appointment type (delays and durations within the model's
    bounds, at least one mode)."""
    values = {
        "service": service,
        "name": name,
        "description": description,
        "keywords": keywords,
        "duration_minutes": duration_minutes,
        "modes": list(modes),
        "documents_to_bring": documents_to_bring,
        "min_delay_hours": min_delay_hours,
        "max_delay_days": max_delay_days,
        "cancellable_until_hours": cancellable_until_hours,
        "buffer_minutes": buffer_minutes,
        "is_active": is_active,
    }
    if not values["modes"]:
        raise ValidationError({"modes": "Choisissez au moins une modalité."})
    return _save(
        acting_user=acting_user,
        row=_locked(AppointmentType, appointment_type),
        values=values,
        action=TYPE_SAVED,
        what="Type de rendez-vous",
    )


def opening_check(*, place: Place, weekday: int, start_time: time, end_time: time) -> None:
    """Refuse an opening whose times are inverted or which does not lie inside one range
    of its place's hours that day (issue 11: slots are only offered inside the posted
    hours, so such an opening would silently yield nothing)."""
    if end_time <= start_time:
        raise ValidationError("L'heure de fin doit suivre l'heure de début.")
    ranges = selectors.place_hours(place_ids=[place.pk]).get(place.pk, {}).get(weekday, [])
    if hours_fit(ranges, start_time, end_time):
        return
    day = DAYS[weekday]
    posted = (
        f"est ouvert le {day} : {ranges_text(ranges)}" if ranges else f"n'a pas d'horaires le {day}"
    )
    raise ValidationError(
        f"« {place.name} » {posted}. La plage {ranges_text([(start_time, end_time)])} "
        "doit tenir dans une de ses plages d'ouverture (une plage par demi-journée) : "
        "corrigez-la, ou les horaires du lieu."
    )


@transaction.atomic
def opening_save(
    *,
    acting_user: Actor,
    opening: OpeningRule | None = None,
    agent_id: int,
    place: Place,
    types: list[AppointmentType],
    weekday: int,
    start_time: time,
    end_time: time,
    valid_from: date,
    valid_until: date | None = None,
) -> OpeningRule:
    """Create or change an agent's weekly opening, for the given types; it must lie inside
    its place's hours (``opening_check``)."""
    opening_check(place=place, weekday=weekday, start_time=start_time, end_time=end_time)
    return _save(
        acting_user=acting_user,
        row=_locked(OpeningRule, opening),
        values={
            "agent_id": agent_id,
            "place": place,
            "weekday": weekday,
            "start_time": start_time,
            "end_time": end_time,
            "valid_from": valid_from,
            "valid_until": valid_until,
        },
        related={"types": list(types)},
        action=OPENING_SAVED,
        what="Plage d'ouverture",
    )


def absence_check(
    *,
    starts_at: datetime | None,
    ends_at: datetime | None,
    weekday: int | None,
    start_time: time | None,
    end_time: time | None,
) -> None:
    """An absence is either one-off (a start and an end) or weekly (a day and times), its
    end after its start."""
    one_off = starts_at and ends_at
    weekly = weekday is not None and start_time and end_time
    if bool(one_off) == bool(weekly):
        raise ValidationError(
            "Indiquez soit un début et une fin (absence ponctuelle), soit un jour et des "
            "horaires (absence chaque semaine)."
        )
    if one_off and ends_at <= starts_at:
        raise ValidationError("La fin de l'absence doit suivre son début.")
    if weekly and end_time <= start_time:
        raise ValidationError("L'heure de fin doit suivre l'heure de début.")


def absence_valid_from(*, weekday: int | None, valid_from: date | None) -> date | None:
    """A weekly absence given no start date applies from today."""
    if weekday is not None and valid_from is None:
        return timezone.localdate()
    return valid_from


@transaction.atomic
def absence_save(
    *,
    acting_user: Actor,
    absence: Absence | None = None,
    agent_id: int,
    reason: str = "",
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
    weekday: int | None = None,
    start_time: time | None = None,
    end_time: time | None = None,
    valid_from: date | None = None,
    valid_until: date | None = None,
) -> Absence:
    """Create or change an agent's absence (``absence_check``); a weekly one with no start
    date applies from today (``absence_valid_from``)."""
    absence_check(
        starts_at=starts_at,
        ends_at=ends_at,
        weekday=weekday,
        start_time=start_time,
        end_time=end_time,
    )
    valid_from = absence_valid_from(weekday=weekday, valid_from=valid_from)
    return _save(
        acting_user=acting_user,
        row=_locked(Absence, absence),
        values={
            "agent_id": agent_id,
            "reason": reason,
            "starts_at": starts_at,
            "ends_at": ends_at,
            "weekday": weekday,
            "start_time": start_time,
            "end_time": end_time,
            "valid_from": valid_from,
            "valid_until": valid_until,
        },
        action=ABSENCE_SAVED,
        what="Absence",
    )


@transaction.atomic
def settings_save(
    *, acting_user: Actor, reminder_hours: int, visio_base_url: str = ""
) -> RendezvousSettings:
    """Change the commune's appointment settings (reminder delay, visio provider)."""
    row = _locked(RendezvousSettings, RendezvousSettings.current())
    before = {"visio_base_url": row.visio_base_url, "reminder_hours": row.reminder_hours}
    row.visio_base_url, row.reminder_hours = visio_base_url, reminder_hours
    row.full_clean()
    row.save()
    changed = {
        name: str(getattr(row, name)) for name, old in before.items() if getattr(row, name) != old
    }
    audit_record(
        acting_user=acting_user,
        action=SETTINGS_SAVED,
        target=row,
        summary="Réglages des rendez-vous : " + (", ".join(changed) or "inchangés"),
        details={"changed": changed},
    )
    return row
