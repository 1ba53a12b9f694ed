from datetime import date, time, timedelta

from rendezvous import selectors
from rendezvous.models import Absence, Appointment, OpeningRule
from tests.rendezvous.conftest import MONDAY, NOW, at


def _starts(slots):
    return [s.starts_at for s in slots]


def test_weekly_rule_gives_slots_of_the_type_duration(rdv_a):
    slots = selectors.free_slots(appointment_type=rdv_a.kind, start=MONDAY, end=MONDAY, now=NOW)
    assert _starts(slots) == [at(MONDAY, 9, m) for m in (0, 30)] + [
        at(MONDAY, h, m) for h in (10, 11) for m in (0, 30)
    ]
    assert {s.agent_id for s in slots} == {rdv_a.agent.pk}
    assert all(s.ends_at - s.starts_at == timedelta(minutes=30) for s in slots)


def test_rule_only_on_its_weekday_and_within_its_dates(rdv_a):
    rule = rdv_a.rules[0]
    rule.valid_until = date(2026, 12, 13)
    rule.save()
    slots = selectors.free_slots(
        appointment_type=rdv_a.kind, start=MONDAY, end=MONDAY + timedelta(days=13), now=NOW
    )
    assert {s.starts_at.date() for s in slots} == {MONDAY}


def test_public_holidays_are_closed(rdv_a):
    # Friday 25 December 2026 is Christmas: the Friday opening gives nothing that day.
    rule = OpeningRule.objects.create(
        agent_id=rdv_a.agent.pk,
        place=rdv_a.place,
        weekday=4,
        start_time=time(14),
        end_time=time(15),
        valid_from=date(2026, 11, 1),
    )
    rule.types.add(rdv_a.kind)
    slots = selectors.free_slots(
        appointment_type=rdv_a.kind, start=date(2026, 12, 18), end=date(2026, 12, 25), now=NOW
    )
    fridays = {s.starts_at.date() for s in slots if s.starts_at.weekday() == 4}
    assert fridays == {date(2026, 12, 18)}


def test_one_off_and_weekly_absences_block(rdv_a):
    Absence.objects.create(
        agent_id=rdv_a.agent.pk, starts_at=at(MONDAY, 9, 30), ends_at=at(MONDAY, 10)
    )
    Absence.objects.create(
        agent_id=rdv_a.agent.pk,
        weekday=0,
        start_time=time(11),
        end_time=time(12),
        valid_from=date(2026, 12, 1),
    )
    slots = selectors.free_slots(appointment_type=rdv_a.kind, start=MONDAY, end=MONDAY, now=NOW)
    assert _starts(slots) == [at(MONDAY, 9), at(MONDAY, 10), at(MONDAY, 10, 30)]


def test_booking_delays(rdv_a):
    now = at(MONDAY, 8)  # min delay 2 h: 9:00 and 9:30 too soon, 10:00 is the first
    slots = selectors.free_slots(appointment_type=rdv_a.kind, start=MONDAY, end=MONDAY, now=now)
    assert _starts(slots)[0] == at(MONDAY, 10)
    rdv_a.kind.max_delay_days = 3
    slots = selectors.free_slots(
        appointment_type=rdv_a.kind, start=MONDAY, end=MONDAY + timedelta(days=7), now=NOW
    )
    assert slots == []


def _appointment(setup, start, **fields):
    duration = timedelta(minutes=setup.kind.duration_minutes)
    values = {
        "type": setup.kind,
        "agent_id": setup.agent.pk,
        "place": setup.place,
        "mode": "in_person",
        "starts_at": start,
        "ends_at": start + duration,
        "blocked_until": start + duration + timedelta(minutes=setup.kind.buffer_minutes),
        "status": Appointment.Status.BOOKED,
    } | fields
    return Appointment.objects.create(**values)


def test_appointments_and_buffers_block(rdv_a):
    rdv_a.kind.buffer_minutes = 15
    rdv_a.kind.save()
    # With a 15-min buffer, slots step by 45 min: 9:00, 9:45, 10:30, (11:15 ends at 11:45).
    _appointment(rdv_a, at(MONDAY, 9, 45))
    slots = selectors.free_slots(appointment_type=rdv_a.kind, start=MONDAY, end=MONDAY, now=NOW)
    assert _starts(slots) == [at(MONDAY, 9), at(MONDAY, 10, 30), at(MONDAY, 11, 15)]


def test_cancelled_and_expired_holds_do_not_block_but_live_holds_do(rdv_a):
    _appointment(rdv_a, at(MONDAY, 9), status=Appointment.Status.CANCELLED)
    _appointment(
        rdv_a,
        at(MONDAY, 9, 30),
        status=Appointment.Status.HELD,
        hold_expires_at=NOW - timedelta(minutes=1),
    )
    _appointment(
        rdv_a,
        at(MONDAY, 10),
        status=Appointment.Status.HELD,
        hold_expires_at=NOW + timedelta(minutes=5),
    )
    starts = _starts(
        selectors.free_slots(appointment_type=rdv_a.kind, start=MONDAY, end=MONDAY, now=NOW)
    )
    assert at(MONDAY, 9) in starts and at(MONDAY, 9, 30) in starts
    assert at(MONDAY, 10) not in starts


def test_other_types_appointments_of_the_agent_block_too(rdv_a):
    other = rdv_a.kind.__class__.objects.create(
        service=rdv_a.service, name="Autre", duration_minutes=60, modes=["phone"]
    )
    _appointment(
        rdv_a, at(MONDAY, 9), type=other, ends_at=at(MONDAY, 10), blocked_until=at(MONDAY, 10)
    )
    starts = _starts(
        selectors.free_slots(appointment_type=rdv_a.kind, start=MONDAY, end=MONDAY, now=NOW)
    )
    assert starts[0] == at(MONDAY, 10)


def test_next_free_slots_skips_full_weeks_and_dedups_agents(rdv_a, member_factory):
    second = member_factory(rdv_a.tenant)
    rdv_a.activate()
    rule = OpeningRule.objects.create(
        agent_id=second.pk,
        place=rdv_a.place,
        weekday=0,
        start_time=time(9),
        end_time=time(12),
        valid_from=date(2026, 11, 1),
    )
    rule.types.add(rdv_a.kind)
    for agent in (rdv_a.agent, second):
        Absence.objects.create(
            agent_id=agent.pk, starts_at=at(MONDAY, 0), ends_at=at(MONDAY + timedelta(days=21), 0)
        )
    slots = selectors.next_free_slots(appointment_type=rdv_a.kind, count=3, now=NOW)
    third_monday = MONDAY + timedelta(days=21)
    assert _starts(slots) == [at(third_monday, 9), at(third_monday, 9, 30), at(third_monday, 10)]


def test_free_slots_query_count_does_not_grow(rdv_a, queries):
    def run():
        with queries() as q:
            selectors.free_slots(
                appointment_type=rdv_a.kind, start=MONDAY, end=MONDAY + timedelta(days=30), now=NOW
            )
        return q.count

    before = run()
    for week in range(4):
        for hour in (9, 10, 11):
            _appointment(rdv_a, at(MONDAY + timedelta(days=7 * week), hour))
        Absence.objects.create(
            agent_id=rdv_a.agent.pk,
            starts_at=at(MONDAY + timedelta(days=7 * week), 11, 30),
            ends_at=at(MONDAY + timedelta(days=7 * week), 12),
        )
    assert run() == before == 4  # rules, places' hours, appointments, absences


def test_keyword_search_ignores_accents_and_case(rdv_a):
    assert list(selectors.type_search(query="ETAT civil")) == [rdv_a.kind]
    assert list(selectors.type_search(query="identite")) == [rdv_a.kind]
    assert list(selectors.type_search(query="passéport")) == [rdv_a.kind]
    assert list(selectors.type_search(query="urbanisme")) == []
    assert list(selectors.type_search(query="", mode="visio")) == [rdv_a.kind]
    rdv_a.kind.modes = ["in_person"]
    rdv_a.kind.save()
    assert list(selectors.type_search(query="", mode="visio")) == []
    assert list(selectors.type_search(place_id=rdv_a.place.pk)) == [rdv_a.kind]
    assert list(selectors.type_search(place_id=rdv_a.place.pk + 1000)) == []
