"""Writes: a place and its weekly opening hours (issue 11: one source for hours)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from portal.audit.trail import Actor, audit_action, audit_record
from portal.tenant_cache import tenant_cache_forget
from rendezvous import selectors
from rendezvous.hours import DAYS, Hours, hours_problems
from rendezvous.models import Place, PlaceHours

PLACE_SAVED = audit_action("rendezvous.place_saved", _("Lieu et horaires enregistrés"))


@transaction.atomic
def place_save(*, acting_user: Actor, place: Place, hours: Hours) -> Place:
    """Save the place and replace its weekly hours, all or nothing. Overlapping or inverted
    ranges are refused (ValidationError, French). Marking it as the mairie's reception
    unmarks the former one. Appointments already booked are never touched: the agenda keeps
    them even when they now fall outside the hours."""
    problems = [
        f"{DAYS[day].capitalize()} : {problem}"
        for day, ranges in sorted(hours.items())
        for problem in hours_problems(ranges)
    ]
    if problems:
        raise ValidationError(problems)
    if place.is_reception:
        Place.objects.filter(is_reception=True).exclude(pk=place.pk).update(is_reception=False)
    # Saving (an UPDATE) locks the place's row until commit: two admins saving the same
    # place replace its hours one after the other.
    place.save()
    PlaceHours.objects.filter(place=place).delete()
    PlaceHours.objects.bulk_create(
        PlaceHours(place=place, weekday=day, opens=opens, closes=closes)
        for day, ranges in sorted(hours.items())
        for opens, closes in ranges
    )
    tenant_cache_forget(selectors.CATALOGUE_CACHE, selectors.SEARCH_CACHE)
    audit_record(
        acting_user=acting_user,
        action=PLACE_SAVED,
        target=place,
        summary=f"Lieu « {place.name} » et ses horaires enregistrés",
        details={"hours": {str(day): [[str(a), str(b)] for a, b in r] for day, r in hours.items()}},
    )
    return place
