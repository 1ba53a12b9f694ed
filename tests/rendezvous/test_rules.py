"""The rules of appointments (rendezvous/rules.py): pure, one worked example per rule."""

from datetime import date, time, timedelta

from rendezvous import rules
from rendezvous.models import Appointment, AppointmentType
from rendezvous.rules import Busy, Opening, Slot
from tests.rendezvous.conftest import MONDAY, NOW, at

HALF_HOUR = timedelta(minutes=30)
TUESDAY = MONDAY + timedelta(days=1)


def test_a_type_books_from_its_minimum_delay_to_its_maximum_delay():
    kind = AppointmentType(min_delay_hours=2, max_delay_days=60)
    earliest, latest = rules.booking_window(appointment_type=kind, now=NOW)
    assert earliest == NOW + timedelta(hours=2)
    assert latest == NOW + timedelta(days=60)


def test_a_citizen_cancels_online_until_the_types_hours_before_the_start():
    kind = AppointmentType(cancellable_until_hours=24)
    appointment = Appointment(type=kind, starts_at=at(MONDAY, 9))
    assert rules.citizen_limit(appointment=appointment) == at(MONDAY - timedelta(days=1), 9)


def test_search_dates_run_from_a_year_back_to_the_longest_delay_ahead():
    today = date(2026, 12, 1)
    assert rules.search_date_allowed(date(2025, 12, 1), today=today)
    assert not rules.search_date_allowed(date(2024, 11, 29), today=today)
    assert rules.search_date_allowed(date(2028, 12, 1), today=today)
    assert not rules.search_date_allowed(date(9999, 12, 31), today=today)


def test_each_status_allows_its_actions():
    assert rules.citizen_actions(status="booked") >= {"cancel", "move", "document"}
    assert rules.citizen_actions(status="seen") == {"survey", "book_again"}
    assert rules.citizen_actions(status="cancelled") == {"book_again"}
    assert rules.agent_actions(status="cancelled") == frozenset()
    assert rules.agent_actions(status="no_show") == {"mark"}
    assert rules.citizen_actions(status="held") == frozenset()


def test_busy_intervals_merge_and_an_end_touching_a_start_does_not_overlap():
    busy = Busy([(at(MONDAY, 10), at(MONDAY, 11)), (at(MONDAY, 9), at(MONDAY, 10, 30))])
    assert busy.starts == [at(MONDAY, 9)] and busy.ends == [at(MONDAY, 11)]
    assert busy.overlaps(at(MONDAY, 10, 45), at(MONDAY, 11, 15))
    assert not busy.overlaps(at(MONDAY, 11), at(MONDAY, 11, 30))
    assert not busy.overlaps(at(MONDAY, 8, 30), at(MONDAY, 9))


def test_a_weekly_absence_covers_its_weekday_within_its_validity():
    intervals = rules.weekly_intervals(
        first=date(2026, 12, 1),
        last=date(2026, 12, 31),
        weekday=0,
        start_time=time(14),
        end_time=time(16),
        valid_from=date(2026, 12, 8),
        valid_until=date(2026, 12, 21),
    )
    assert intervals == [
        (at(date(2026, 12, 14), 14), at(date(2026, 12, 14), 16)),
        (at(date(2026, 12, 21), 14), at(date(2026, 12, 21), 16)),
    ]


def _slots(**changes):
    values = {
        "first": MONDAY,
        "last": TUESDAY,
        "openings": [Opening(7, 3, 0, time(9), time(11), date(2026, 11, 1), None)],
        "hours": {3: {0: [(time(8), time(12))], 1: [(time(8), time(12))]}},
        "busy": {},
        "holidays": set(),
        "duration": HALF_HOUR,
        "buffer": timedelta(0),
        "earliest": NOW,
        "latest": NOW + timedelta(days=60),
    }
    return [slot.starts_at for slot in rules.slots_between(**values | changes)]


def test_an_opening_is_cut_into_slots_of_the_types_duration():
    assert _slots() == [at(MONDAY, 9), at(MONDAY, 9, 30), at(MONDAY, 10), at(MONDAY, 10, 30)]


def test_a_buffer_follows_each_slot_and_the_last_slot_ends_by_the_openings_end():
    # 9:00, 9:45, 10:30-11:00 (its buffer may run past 11:00); a 40-minute type: two slots.
    starts = [at(MONDAY, 9), at(MONDAY, 9, 45), at(MONDAY, 10, 30)]
    assert _slots(buffer=timedelta(minutes=15)) == starts
    forty = _slots(duration=timedelta(minutes=40), buffer=timedelta(minutes=15))
    assert forty == [at(MONDAY, 9), at(MONDAY, 9, 55)]


def test_slots_stay_inside_the_places_hours_that_day():
    assert _slots(hours={3: {0: [(time(10), time(12))]}}) == [at(MONDAY, 10), at(MONDAY, 10, 30)]
    assert _slots(hours={}) == []


def test_busy_times_holidays_and_the_booking_window_remove_slots():
    busy = {7: Busy([(at(MONDAY, 9, 15), at(MONDAY, 10))])}
    assert _slots(busy=busy) == [at(MONDAY, 10), at(MONDAY, 10, 30)]
    assert _slots(holidays={MONDAY}) == []
    assert _slots(earliest=at(MONDAY, 10)) == [at(MONDAY, 10), at(MONDAY, 10, 30)]
    assert _slots(latest=at(MONDAY, 9, 30)) == [at(MONDAY, 9), at(MONDAY, 9, 30)]


def test_an_opening_applies_on_its_weekday_within_its_validity():
    ended = Opening(7, 3, 0, time(9), time(10), date(2026, 11, 1), date(2026, 12, 6))
    assert _slots(openings=[ended]) == []
    tuesday = Opening(7, 3, 1, time(9), time(10), MONDAY, None)
    assert _slots(openings=[tuesday]) == [at(TUESDAY, 9), at(TUESDAY, 9, 30)]


def test_two_agents_give_one_distinct_slot_per_start_and_place():
    a = Slot(at(MONDAY, 9), at(MONDAY, 9, 30), agent_id=1, place_id=3)
    b = Slot(at(MONDAY, 9), at(MONDAY, 9, 30), agent_id=2, place_id=3)
    c = Slot(at(MONDAY, 9), at(MONDAY, 9, 30), agent_id=2, place_id=4)
    assert rules.distinct_slots([a, b, c]) == [a, c]
