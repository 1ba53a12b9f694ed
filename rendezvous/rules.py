"""The rules of appointments, as pure functions (no query, no clock): when a type can be
booked, until when a citizen may cancel or move, which actions each status allows, and the
slot arithmetic of the free-slot search (rendezvous.selectors.slots runs the queries and
hands their rows to ``slots_between``).

Services enforce these rules and pages ask them; neither restates them. Tests:
tests/rendezvous/test_rules.py, one worked example per rule.
"""

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings

from rendezvous.hours import Hours, hours_clip
from rendezvous.models import MAX_DELAY_DAYS, Appointment, AppointmentType

TZ = ZoneInfo(settings.TIME_ZONE)

# --- booking and changing a booking --------------------------------------------------------


def booking_window(
    *, appointment_type: AppointmentType, now: datetime
) -> tuple[datetime, datetime]:
    """Earliest and latest start a citizen may book."""
    # seed 000 brochure: each type sets its minimum (hours) and maximum (days) booking delay
    return (
        now + timedelta(hours=appointment_type.min_delay_hours),
        now + timedelta(days=appointment_type.max_delay_days),
    )


def citizen_limit(*, appointment: Appointment) -> datetime:
    """Until when the citizen may cancel or move a booking online."""
    # seed 000 brochure, issue 5: cancellable by the citizen until N hours before (per type)
    return appointment.starts_at - timedelta(hours=appointment.type.cancellable_until_hours)


def search_date_allowed(day: date, *, today: date) -> bool:
    """Whether a date given in a slot search can mean anything: from a year back to the
    longest booking delay ahead. Bounded so that date arithmetic cannot overflow (issue 8:
    9999-12-31 raised OverflowError)."""
    return -366 <= (day - today).days <= MAX_DELAY_DAYS + 7


# What each status allows (the pages show these actions; the services refuse the others).
Status = Appointment.Status
CITIZEN_ACTIONS: dict[str, frozenset[str]] = {
    Status.BOOKED: frozenset({"cancel", "move", "document", "join_visio"}),
    Status.SEEN: frozenset({"book_again", "survey"}),
    Status.NO_SHOW: frozenset({"book_again"}),
    Status.CANCELLED: frozenset({"book_again"}),
}
AGENT_ACTIONS: dict[str, frozenset[str]] = {
    Status.BOOKED: frozenset({"cancel", "mark", "document"}),
    Status.SEEN: frozenset({"mark"}),
    Status.NO_SHOW: frozenset({"mark"}),
}


def citizen_actions(*, status: str) -> frozenset[str]:
    """What the citizen may do through their link with an appointment in ``status``
    (moving and cancelling stop at ``citizen_limit``, checked by the services)."""
    return CITIZEN_ACTIONS.get(status, frozenset())


def agent_actions(*, status: str) -> frozenset[str]:
    """What an agent may do with an appointment in ``status``."""
    return AGENT_ACTIONS.get(status, frozenset())


# --- free slots ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Slot:
    starts_at: datetime
    ends_at: datetime
    agent_id: int
    place_id: int


@dataclass(frozen=True)
class Opening:
    """An agent's weekly opening at a place, as the slot arithmetic reads it."""

    agent_id: int
    place_id: int
    weekday: int
    start_time: time
    end_time: time
    valid_from: date
    valid_until: date | None

    def applies(self, day: date) -> bool:
        return (
            day.weekday() == self.weekday
            and self.valid_from <= day
            and (self.valid_until is None or day <= self.valid_until)
        )


class Busy:
    """An agent's busy intervals, merged and sorted, for overlap checks by bisection."""

    def __init__(self, intervals: Iterable[tuple[datetime, datetime]] = ()):
        merged: list[list[datetime]] = []
        for start, end in sorted(intervals):
            if merged and start <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([start, end])
        self.starts = [m[0] for m in merged]
        self.ends = [m[1] for m in merged]

    def overlaps(self, start: datetime, end: datetime) -> bool:
        index = bisect_left(self.starts, end) - 1
        return index >= 0 and self.ends[index] > start


def days(first: date, last: date) -> Iterator[date]:
    """Every date from ``first`` to ``last``, inclusive."""
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)


def weekly_intervals(
    *,
    first: date,
    last: date,
    weekday: int,
    start_time: time,
    end_time: time,
    valid_from: date,
    valid_until: date | None,
) -> list[tuple[datetime, datetime]]:
    """The intervals a weekly absence covers from ``first`` to ``last``."""
    return [
        (datetime.combine(day, start_time, TZ), datetime.combine(day, end_time, TZ))
        for day in days(max(first, valid_from), min(last, valid_until or last))
        if day.weekday() == weekday
    ]


def slots_between(
    *,
    first: date,
    last: date,
    openings: Iterable[Opening],
    hours: dict[int, Hours],
    busy: dict[int, Busy],
    holidays: set[date],
    duration: timedelta,
    buffer: timedelta,
    earliest: datetime,
    latest: datetime,
) -> list[Slot]:
    """Every free slot from ``first`` to ``last``, one per agent, sorted by start.

    Each opening is cut into consecutive slots of ``duration`` followed by ``buffer``, from
    its start, within the parts of it inside its place's ``hours`` that day (issue 11: the
    hours shown and the slots offered come from the same rows). A slot is offered when it
    starts within [``earliest``, ``latest``] (the booking window) and its agent is not
    ``busy`` for it, buffer included; public ``holidays`` are closed days."""
    by_weekday: dict[int, list[Opening]] = defaultdict(list)
    for opening in openings:
        by_weekday[opening.weekday].append(opening)
    step = duration + buffer
    slots = []
    for day in days(first, last):
        if day in holidays:
            continue
        for opening in by_weekday[day.weekday()]:
            if not opening.applies(day):
                continue
            agent_busy = busy.get(opening.agent_id) or Busy()
            day_hours = hours.get(opening.place_id, {}).get(day.weekday(), [])
            for opens, closes in hours_clip(day_hours, opening.start_time, opening.end_time):
                moment = datetime.combine(day, opens, TZ)
                closing = datetime.combine(day, closes, TZ)
                while moment + duration <= closing:
                    if earliest <= moment <= latest and not agent_busy.overlaps(
                        moment, moment + step
                    ):
                        slots.append(
                            Slot(moment, moment + duration, opening.agent_id, opening.place_id)
                        )
                    moment += step
    slots.sort(key=lambda s: (s.starts_at, s.place_id, s.agent_id))
    return slots


def distinct_slots(slots: list[Slot]) -> list[Slot]:
    """One slot per (start, place): which agent takes it is decided at booking."""
    seen = set()
    result = []
    for slot in slots:
        key = (slot.starts_at, slot.place_id)
        if key not in seen:
            seen.add(key)
            result.append(slot)
    return result
