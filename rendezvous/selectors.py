"""Reads: free slots of an appointment type, keyword search, agendas.

Free slots are computed in Python from a handful of bulk queries (opening rules, absences,
appointments of the agents concerned), never one query per slot: agents' weekly openings
minus public holidays, absences, other appointments (buffers included) and the type's
minimum and maximum booking delays, and clipped to the place's posted hours (issue 11:
hours shown and slots offered come from the same PlaceHours rows).

Visio and phone appointments follow the same rule: an agent's opening belongs to a place
(where the agent works from), so its slots stay inside that place's hours whatever the mode.
A place without hours offers no slot; the admin's pages say so.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import connection
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from portal.calendar import public_holidays
from portal.links import pk_url
from portal.tenant_cache import tenant_cached
from portal.text import search_key
from rendezvous import rules
from rendezvous.hours import Hours, hours_fit, hours_lines
from rendezvous.models import (
    Absence,
    Appointment,
    AppointmentType,
    Mode,
    OpeningRule,
    Place,
    PlaceHours,
)
from rendezvous.rules import TZ, Slot, booking_window, distinct_slots
from tenants.selectors import account_collectivites, collectivite_site_url

# How far "next free slots" looks at a time: a few bulk queries per chunk.
NEXT_CHUNK_DAYS = 14


def search_date_allowed(day: date, *, today: date | None = None) -> bool:
    """``rules.search_date_allowed`` from today (the commune's date)."""
    return rules.search_date_allowed(day, today=today or timezone.localdate())


def _insee_code() -> str:
    tenant = getattr(connection, "tenant", None)
    return getattr(tenant, "insee_code", "") or ""


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


def commune_hours() -> list["PlaceRow"]:
    """The places whose hours the commune's home shows (from the cached catalogue): the
    mairie's reception when one is marked, else every place that has hours."""
    places = catalogue_cached()["places"]
    reception = [place for place in places if place.is_reception]
    return reception or [place for place in places if place.hours_lines]


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
    insee = _insee_code()
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


def type_search(
    *, query: str = "", place_id: int | None = None, mode: str = ""
) -> QuerySet[AppointmentType]:
    """Active appointment types matching every word of ``query`` in their name, description,
    keywords or service (accents and case ignored), offered at ``place_id`` and in ``mode``."""
    types = AppointmentType.objects.filter(is_active=True).select_related("service")
    for word in search_key(query).split():
        types = types.filter(search_text__contains=word)
    if place_id:
        types = types.filter(opening_rules__place_id=place_id)
    if mode in Mode.values:
        types = types.filter(modes__contains=[mode])
    return types.distinct().order_by("service__name", "name")


# Cached catalogue of the commune's appointments (portal.tenant_cache), forgotten when an
# agent edits the configuration. The search page's "next free slots" are kept a minute:
# they only link to the type's page, whose week of slots is always computed live.
CATALOGUE_CACHE = "rendezvous:catalogue-rows"
SEARCH_CACHE = "rendezvous:search-page"
SEARCH_CACHE_SECONDS = 60


@dataclass(frozen=True)
class TypeRow:
    """An active appointment type as visitors' pages list it."""

    pk: int
    name: str
    service_name: str
    url: str


@dataclass(frozen=True)
class PlaceRow:
    """A place as visitors' pages show it (rendezvous/search_html.places_html reads the same
    names on a Place with ``hours_lines`` set)."""

    pk: int
    name: str
    address: str
    access_info: str
    is_reception: bool
    hours_lines: list[str]


def catalogue_cached() -> dict:
    """What visitors' pages list: active types (with their service's name) and places with
    their hours' text. Kept as plain values: unpickling model instances on every page cost
    more than the query they save (issue 11 §4)."""

    def build() -> dict:
        type_url = pk_url("rendezvous:type")
        types = (
            AppointmentType.objects.filter(is_active=True)
            .order_by("service__name", "name")
            .values_list("pk", "name", "service__name")
        )
        return {
            "types": [
                TypeRow(pk=pk, name=name, service_name=service, url=type_url(pk))
                for pk, name, service in types
            ],
            "places": [
                PlaceRow(
                    pk=place.pk,
                    name=place.name,
                    address=place.address,
                    access_info=place.access_info,
                    is_reception=place.is_reception,
                    hours_lines=place.hours_lines,
                )
                for place in places_described(Place.objects.order_by("name"))
            ],
        }

    return tenant_cached(CATALOGUE_CACHE, build)


def search_page(
    *,
    query: str = "",
    place_id: int | None = None,
    mode: str = "",
    after: date | None = None,
    types_shown: int,
    slots_shown: int,
    horizon_days: int,
) -> tuple[list["SearchResult"], list[PlaceRow]]:
    """The search page's types matching the search, each with its next free slots, ready to
    show, and the commune's places. The unfiltered search, which every visitor of the page
    gets first, comes from the cache in one read."""

    def build():
        places = catalogue_cached()["places"]
        types = type_search(query=query, place_id=place_id, mode=mode)[:types_shown]
        found = [
            (
                kind,
                next_free_slots(
                    appointment_type=kind,
                    count=slots_shown,
                    place_id=place_id,
                    after=after,
                    horizon_days=horizon_days,
                ),
            )
            for kind in types
        ]
        return search_rows(found, places=places), places

    if query or place_id or mode or after:
        return build()
    return tenant_cached(SEARCH_CACHE, build, timeout=SEARCH_CACHE_SECONDS)


@dataclass(frozen=True)
class SearchSlot:
    url: str  # the type's week at that slot's day and place
    label: str  # "mar 24 Nov 09:30 — Mairie", local time


@dataclass(frozen=True)
class SearchResult:
    """One appointment type of the search page with its next free slots, ready to show:
    links and dates formatted here once, not per slot by the template (issue 11 §4)."""

    url: str
    name: str
    service: str
    duration_minutes: int
    modes: str
    description: str
    slots: list[SearchSlot]


def search_rows(
    results: list[tuple[AppointmentType, list[Slot]]], *, places: list[PlaceRow]
) -> list[SearchResult]:
    """Types with their next free slots as the search page lists them: links and dates
    formatted here once, not per slot by the template."""
    from django.utils.dateformat import format as date_format

    place_names = {place.pk: place.name for place in places}
    type_url = pk_url("rendezvous:type")
    rows = []
    for kind, slots in results:
        url = type_url(kind.pk)
        shown = []
        for slot in slots:
            local = slot.starts_at.astimezone(TZ)
            place = place_names.get(slot.place_id) or ""
            shown.append(
                SearchSlot(
                    url=f"{url}?date={local:%Y-%m-%d}&lieu={slot.place_id}",
                    label=f"{date_format(local, 'D j M H:i')} — {place}",
                )
            )
        rows.append(
            SearchResult(
                url=url,
                name=kind.name,
                service=kind.service.name,
                duration_minutes=kind.duration_minutes,
                modes=", ".join(str(label) for label in kind.get_modes_display()),
                description=kind.description,
                slots=shown,
            )
        )
    return rows


def places_for_type(*, appointment_type: AppointmentType) -> list[Place]:
    """The type's places, with their hours' text (``places_described``)."""
    return places_described(
        Place.objects.filter(opening_rules__types=appointment_type).distinct().order_by("name")
    )


def agenda(
    *, start: date, end: date, agent_id: int | None = None, place_id: int | None = None
) -> QuerySet[Appointment]:
    """Appointments from ``start`` to ``end`` (inclusive), holds excluded; one agent's, one
    place's, or every one."""
    queryset = Appointment.objects.filter(
        starts_at__gte=datetime.combine(start, time.min, TZ),
        starts_at__lt=datetime.combine(end + timedelta(days=1), time.min, TZ),
    ).exclude(status__in=[Appointment.Status.HELD, Appointment.Status.EXPIRED])
    if agent_id is not None:
        queryset = queryset.filter(agent_id=agent_id)
    if place_id is not None:
        queryset = queryset.filter(place_id=place_id)
    return queryset.select_related("type", "place").order_by("starts_at")


@dataclass(frozen=True)
class AgendaRow:
    """One line of an agent's agenda, ready to show: labels and links computed here once
    rather than per row by the template (get_FOO_display and {% url %} cost more than the
    rest of the page, issue 11 §4)."""

    url: str
    when: str  # "mar 24/11 09:30", local time
    type_name: str
    citizen: str
    mode_label: str
    visio_url: str  # only while booked in visio
    place: str
    agent: str
    status_label: str


def agenda_rows(
    *,
    start: date,
    end: date,
    agent_id: int | None = None,
    place_id: int | None = None,
    agent_labels: dict[int, str],
) -> list[AgendaRow]:
    """The agenda (see ``agenda``) as rows, read as plain values (no model instances)."""
    from django.utils.dates import WEEKDAYS_ABBR

    days = [str(WEEKDAYS_ABBR[n]) for n in range(7)]
    modes = {value: str(label) for value, label in Mode.choices}
    statuses = {value: str(label) for value, label in Appointment.Status.choices}
    appointment_url = pk_url("rendezvous:agent-appointment")
    values = agenda(start=start, end=end, agent_id=agent_id, place_id=place_id).values_list(
        "pk", "starts_at", "type__name", "first_name", "last_name", "mode", "status",
        "visio_url", "place__name", "agent_id",
    )  # fmt: skip
    rows = []
    for pk, starts_at, type_name, first, last, mode, status, visio, place, agent in values:
        local = starts_at.astimezone(TZ)
        joinable = mode == Mode.VISIO and status == Appointment.Status.BOOKED
        rows.append(
            AgendaRow(
                url=appointment_url(pk),
                when=f"{days[local.weekday()]} {local.day}/{local:%m %H:%M}",
                type_name=type_name,
                citizen=f"{first} {last}".strip(),  # as Appointment.citizen_name
                mode_label=modes.get(mode, mode),
                visio_url=visio if joinable else "",
                place=place or "",
                agent=agent_labels.get(agent, ""),
                status_label=statuses.get(status, status),
            )
        )
    return rows


def citizen_appointments(*, citizen_id: int) -> QuerySet[Appointment]:
    return (
        Appointment.objects.filter(citizen_id=citizen_id)
        .exclude(status__in=[Appointment.Status.HELD, Appointment.Status.EXPIRED])
        .select_related("type", "place")
        .order_by("-starts_at")
    )


@dataclass(frozen=True)
class CitizenAppointment:
    commune: str
    commune_url: str
    starts_at: datetime
    type_name: str
    mode: str
    status: str
    link_secret: str

    @property
    def mode_label(self) -> str:
        return Mode(self.mode).label

    @property
    def status_label(self) -> str:
        return Appointment.Status(self.status).label

    @property
    def url(self) -> str:
        from rendezvous.links import secret_sign

        path = reverse(
            "rendezvous:manage", args=[secret_sign(secret=self.link_secret)], urlconf=URLCONF
        )
        return self.commune_url.rstrip("/") + path


URLCONF = "portal.urls_tenant"


def citizen_appointments_everywhere(*, user) -> list[CitizenAppointment]:
    """The account's appointments in every commune where it booked (AccountActivity, written
    with each booking), newest first: a fixed number of queries (the communes, one UNION ALL
    over their schemas), whatever the number of members and whichever schema is active."""
    communes = account_collectivites(user=user, service="rendezvous", field="appointments")
    if not communes:
        return []
    quote = connection.ops.quote_name
    hidden = [Appointment.Status.HELD.value, Appointment.Status.EXPIRED.value]
    parts, params = [], []
    for index, commune in enumerate(communes):
        schema = quote(commune.schema_name)
        parts.append(
            f"""SELECT {index} AS commune, a.starts_at, t.name, a.mode, a.status, a.link_secret
                  FROM {schema}.rendezvous_appointment a
                  JOIN {schema}.rendezvous_appointmenttype t ON t.id = a.type_id
                 WHERE a.citizen_id = %s AND a.status <> ALL(%s)"""
        )
        params += [user.pk, hidden]
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts) + " ORDER BY starts_at DESC", params)
        rows = cursor.fetchall()
    return [
        CitizenAppointment(
            commune=communes[row[0]].name,
            commune_url=collectivite_site_url(collectivite=communes[row[0]]),
            starts_at=row[1],
            type_name=row[2],
            mode=row[3],
            status=row[4],
            link_secret=row[5],
        )
        for row in rows
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
