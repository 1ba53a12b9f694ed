"""Reads: the agents' agenda (appointments by day or week, one agent's or one place's)."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import QuerySet

from portal.links import pk_url
from rendezvous.models import Appointment, Mode
from rendezvous.rules import TZ


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
