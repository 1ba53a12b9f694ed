"""Seed 001 art. 4 due times, with worked examples (Europe/Paris; 11 November, Christmas and
Easter Monday are French public holidays)."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from support import clock

PARIS = ZoneInfo("Europe/Paris")


def at(*args) -> datetime:
    return datetime(*args, tzinfo=PARIS)


@pytest.mark.parametrize(
    ("filed", "due"),
    [
        # Inside the window (Monday to Friday, 8:00 to 16:00): 4 hours of elapsed time.
        (at(2026, 11, 24, 10, 0), at(2026, 11, 24, 14, 0)),
        (at(2026, 11, 24, 8, 0), at(2026, 11, 24, 12, 0)),
        (at(2026, 11, 24, 15, 59), at(2026, 11, 24, 19, 59)),
        # From 16:00 the window is closed: the next working day's first 4 hours.
        (at(2026, 11, 24, 16, 0), at(2026, 11, 25, 12, 0)),
        (at(2026, 11, 24, 22, 30), at(2026, 11, 25, 12, 0)),
        # Before 8:00 on a working day: that same day's first 4 hours.
        (at(2026, 11, 24, 6, 45), at(2026, 11, 24, 12, 0)),
        # Friday evening and the week-end: Monday 12:00.
        (at(2026, 11, 27, 17, 0), at(2026, 11, 30, 12, 0)),
        (at(2026, 11, 28, 10, 0), at(2026, 11, 30, 12, 0)),
        (at(2026, 11, 29, 23, 59), at(2026, 11, 30, 12, 0)),
        # A public holiday inside the week is outside the window (11 November 2026, a Wednesday).
        (at(2026, 11, 11, 10, 0), at(2026, 11, 12, 12, 0)),
        (at(2026, 11, 10, 18, 0), at(2026, 11, 12, 12, 0)),
        # Christmas Eve evening: Christmas (Friday) is skipped, then the week-end.
        (at(2026, 12, 24, 17, 0), at(2026, 12, 28, 12, 0)),
        # Easter Monday 2027 (29 March): Friday evening runs to Tuesday.
        (at(2027, 3, 26, 17, 0), at(2027, 3, 30, 12, 0)),
    ],
)
def test_take_into_account_due(filed, due):
    assert clock.take_into_account_due(filed) == due


def test_the_change_to_summer_time_is_counted_on_the_wall_clock():
    # Friday 27 March 2026 evening; clocks go forward on Sunday 29 March.
    due = clock.take_into_account_due(at(2026, 3, 27, 17, 0))
    assert due == at(2026, 3, 30, 12, 0)
    assert due.utcoffset() == timedelta(hours=2)


def test_a_utc_filing_time_is_read_in_paris():
    # 14:30 UTC in winter is 15:30 in Paris: inside the window.
    filed = datetime(2026, 11, 24, 14, 30, tzinfo=ZoneInfo("UTC"))
    assert clock.take_into_account_due(filed) == at(2026, 11, 24, 19, 30)


def test_a_naive_datetime_is_refused():
    with pytest.raises(ValueError):
        clock.take_into_account_due(datetime(2026, 11, 24, 10, 0))


def test_an_administrative_request_is_answered_within_one_week():
    assert clock.administrative_answer_due(at(2026, 11, 24, 10, 0)) == at(2026, 12, 1, 10, 0)


@pytest.mark.parametrize(
    ("complete", "paused", "due"),
    [
        (at(2026, 3, 15, 9, 0), timedelta(0), at(2026, 4, 15, 9, 0)),
        # Date to date: 31 January + 1 month is the last day of February.
        (at(2026, 1, 31, 10, 0), timedelta(0), at(2026, 2, 28, 10, 0)),
        (at(2028, 1, 31, 10, 0), timedelta(0), at(2028, 2, 29, 10, 0)),
        # Three days waiting for the member are added back.
        (at(2026, 1, 31, 10, 0), timedelta(days=3), at(2026, 3, 3, 10, 0)),
    ],
)
def test_production_within_one_month_of_complete_elements(complete, paused, due):
    assert clock.production_due(elements_complete_at=complete, paused=paused) == due
