"""Reads: places and their weekly hours, and whether agents' openings still fit them
(issue 11: one source for hours)."""

from collections import defaultdict

from rendezvous.hours import Hours, hours_fit, hours_lines
from rendezvous.models import AppointmentType, OpeningRule, Place, PlaceHours


def place_hours(*, place_ids) -> dict[int, Hours]:
    """The weekly hours of the given places, in one query: {place_id: {weekday: ranges}}."""
    hours: dict[int, Hours] = defaultdict(dict)
    rows = PlaceHours.objects.filter(place_id__in=list(place_ids)).order_by(
        "place_id", "weekday", "opens"
    )
    for place_id, weekday, opens, closes in rows.values_list(
        "place_id", "weekday", "opens", "closes"
    ):
        hours[place_id].setdefault(weekday, []).append((opens, closes))
    return dict(hours)


def places_described(places) -> list[Place]:
    """The places with ``hours_lines`` set (the generated text of their hours, one line per
    group of days; empty when they have none): one query for all of them."""
    places = list(places)
    hours = place_hours(place_ids=[p.pk for p in places])
    for place in places:
        place.hours_lines = hours_lines(hours.get(place.pk, {}))
    return places


def rules_checked(rules) -> list[OpeningRule]:
    """The openings with ``outside_hours`` set: True when an opening no longer lies inside
    its place's hours that day (the hours changed after it was entered). Its slots are
    then only those inside the hours."""
    rules = list(rules)
    hours = place_hours(place_ids={rule.place_id for rule in rules})
    for rule in rules:
        ranges = hours.get(rule.place_id, {}).get(rule.weekday, [])
        rule.outside_hours = not hours_fit(ranges, rule.start_time, rule.end_time)
    return rules


def places_for_type(*, appointment_type: AppointmentType) -> list[Place]:
    """The type's places, with their hours' text (``places_described``)."""
    return places_described(
        Place.objects.filter(opening_rules__types=appointment_type).distinct().order_by("name")
    )
