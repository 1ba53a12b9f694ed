"""Reads: the free slots of an appointment type.

Free slots are computed in Python from a handful of bulk queries (opening rules, absences,
appointments of the agents concerned), never one query per slot: agents' weekly openings
minus public holidays, absences, other appointments (buffers included) and the type's
minimum and maximum booking delays, and clipped to the place's posted hours (issue 11:
hours shown and slots offered come from the same PlaceHours rows). The arithmetic is
``rendezvous.rules.slots_between``; this module runs the queries.

Visio and phone appointments follow the same rule: an agent's opening belongs to a place
(where the agent works from), so its slots stay inside that place's hours whatever the mode.
A place without hours offers no slot; the admin's pages say so.
"""

from collections import defaultdict
from datetime import date, datetime, time, timedelta

from django.db.models import Q
from django.utils import timezone

from portal.calendar import current_insee_code, public_holidays
from rendezvous import rules
from rendezvous.models import Absence, Appointment, AppointmentType, OpeningRule
from rendezvous.rules import TZ, Slot, booking_window, distinct_slots
from rendezvous.selectors.places import place_hours

# How far "next free slots" looks at a time: a few bulk queries per chunk.
NEXT_CHUNK_DAYS = 14


def search_date_allowed(day: date, *, today: date | None = None) -> bool:
    """``rules.search_date_allowed`` from today (the commune's date)."""
    return rules.search_date_allowed(day, today=today or timezone.localdate())


def free_slots(
    *,
    appointment_type: AppointmentType,
    start: date,
    end: date,
    place_id: int | None = None,
    agent_ids: set[int] | None = None,
    now: datetime | None = None,
) -> list[Slot]:
    """Every free slot of ``appointment_type`` from ``start`` to ``end`` (dates, inclusive),
    one per agent, sorted by start time: the openings, hours, busy times and holidays read
    in a few bulk queries, cut into slots by ``rules.slots_between``."""
    now = now or timezone.now()
    earliest, latest = booking_window(appointment_type=appointment_type, now=now)
    first = max(start, earliest.astimezone(TZ).date())
    last = min(end, latest.astimezone(TZ).date())
    if first > last:
        return []
    openings = _openings(
        appointment_type=appointment_type,
        first=first,
        last=last,
        place_id=place_id,
        agent_ids=agent_ids,
    )
    if not openings:
        return []
    agents = {opening.agent_id for opening in openings}
    return rules.slots_between(
        first=first,
        last=last,
        openings=openings,
        hours=place_hours(place_ids={opening.place_id for opening in openings}),
        busy=_busy(agent_ids=agents, first=first, last=last, now=now),
        holidays=_holidays(first=first, last=last),
        duration=timedelta(minutes=appointment_type.duration_minutes),
        buffer=timedelta(minutes=appointment_type.buffer_minutes),
        earliest=earliest,
        latest=latest,
    )


def _openings(
    *,
    appointment_type: AppointmentType,
    first: date,
    last: date,
    place_id: int | None,
    agent_ids: set[int] | None,
) -> list[rules.Opening]:
    """The agents' openings for the type valid at some point from ``first`` to ``last``."""
    found = OpeningRule.objects.filter(types=appointment_type.pk, valid_from__lte=last).filter(
        Q(valid_until__isnull=True) | Q(valid_until__gte=first)
    )
    if place_id is not None:
        found = found.filter(place_id=place_id)
    if agent_ids is not None:
        found = found.filter(agent_id__in=agent_ids)
    return [
        rules.Opening(*row)
        for row in found.values_list(
            "agent_id", "place_id", "weekday", "start_time", "end_time", "valid_from", "valid_until"
        )
    ]


def _busy(*, agent_ids: set[int], first: date, last: date, now: datetime) -> dict[int, rules.Busy]:
    """Each agent's busy times from ``first`` to ``last``: appointments (buffers included,
    holds still running) and absences, one-off or weekly."""
    range_start = datetime.combine(first, time.min, TZ)
    range_end = datetime.combine(last + timedelta(days=1), time.min, TZ)
    busy: dict[int, list[tuple[datetime, datetime]]] = defaultdict(list)
    appointments = (
        Appointment.objects.filter(
            agent_id__in=agent_ids, starts_at__lt=range_end, blocked_until__gt=range_start
        )
        .filter(
            Q(
                status__in=[
                    Appointment.Status.BOOKED,
                    Appointment.Status.SEEN,
                    Appointment.Status.NO_SHOW,
                ]
            )
            | Q(status=Appointment.Status.HELD, hold_expires_at__gt=now)
        )
        .values_list("agent_id", "starts_at", "blocked_until")
    )
    for agent_id, starts_at, blocked_until in appointments:
        busy[agent_id].append((starts_at, blocked_until))
    absences = Absence.objects.filter(agent_id__in=agent_ids).filter(
        Q(starts_at__lt=range_end, ends_at__gt=range_start)
        | Q(weekday__isnull=False, valid_from__lte=last)
        & (Q(valid_until__isnull=True) | Q(valid_until__gte=first))
    )
    for agent_id, starts_at, ends_at, *weekly in absences.values_list(
        "agent_id", "starts_at", "ends_at",
        "weekday", "start_time", "end_time", "valid_from", "valid_until",
    ):  # fmt: skip
        if weekly[0] is None:
            busy[agent_id].append((starts_at, ends_at))
        else:
            weekday, start_time, end_time, valid_from, valid_until = weekly
            busy[agent_id] += rules.weekly_intervals(
                first=first,
                last=last,
                weekday=weekday,
                start_time=start_time,
                end_time=end_time,
                valid_from=valid_from,
                valid_until=valid_until,
            )
    return {agent_id: rules.Busy(busy.get(agent_id, [])) for agent_id in agent_ids}


def _holidays(*, first: date, last: date) -> set[date]:
    """Public holidays are closed days (same calendar as SVE, the commune's local ones
    included)."""
    insee = current_insee_code()
    holidays: set[date] = set()
    for year in range(first.year, last.year + 1):
        holidays |= public_holidays(year, insee_code=insee)
    return holidays


def next_free_slots(
    *,
    appointment_type: AppointmentType,
    count: int = 10,
    place_id: int | None = None,
    after: date | None = None,
    horizon_days: int | None = None,
    now: datetime | None = None,
) -> list[Slot]:
    """The first ``count`` free slots (one per start time and place), looked for chunk by
    chunk up to the type's maximum booking delay (or ``horizon_days`` after ``after``)."""
    now = now or timezone.now()
    _earliest, latest = booking_window(appointment_type=appointment_type, now=now)
    day = max(after or now.astimezone(TZ).date(), now.astimezone(TZ).date())
    last = latest.astimezone(TZ).date()
    if horizon_days is not None:
        last = min(last, day + timedelta(days=horizon_days - 1))
    found: list[Slot] = []
    while day <= last and len(found) < count:
        chunk_end = min(day + timedelta(days=NEXT_CHUNK_DAYS - 1), last)
        slots = free_slots(
            appointment_type=appointment_type, start=day, end=chunk_end, place_id=place_id, now=now
        )
        found.extend(distinct_slots(slots))
        day = chunk_end + timedelta(days=1)
    return found[:count]


def slot_agents(
    *,
    appointment_type: AppointmentType,
    place_id: int,
    starts_at: datetime,
    now: datetime | None = None,
) -> list[int]:
    """The agents free for this exact slot (empty if the slot is not offered or taken)."""
    day = starts_at.astimezone(TZ).date()
    return [
        slot.agent_id
        for slot in free_slots(
            appointment_type=appointment_type, start=day, end=day, place_id=place_id, now=now
        )
        if slot.starts_at == starts_at
    ]


def parse_slot_start(value: str) -> datetime | None:
    """An ISO datetime from a form or the API, made aware in the commune's time zone."""
    try:
        moment = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return None
    if timezone.is_naive(moment):
        moment = moment.replace(tzinfo=TZ)
    # Bounded like search dates: far-off years would overflow the slot arithmetic.
    if not search_date_allowed(moment.date()):
        return None
    return moment
