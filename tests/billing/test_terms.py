from datetime import date

import pytest

from billing.terms import contest_last_day, payment_due_on
from portal.calendar import clear_days_end


def test_eight_clear_days_from_first_of_june_end_on_the_tenth():
    # BILLING-NOTES: neither the day of receipt nor the day it falls due is counted.
    assert clear_days_end(date(2026, 6, 1), 8) == date(2026, 6, 10)
    assert contest_last_day(date(2026, 6, 1)) == date(2026, 6, 10)


@pytest.mark.parametrize(
    "received,last",
    [
        # Friday 3 July: the 9th day after is Sunday 12 July -> Monday 13 July.
        (date(2026, 7, 3), date(2026, 7, 13)),
        # Sunday 5 July: 14 July is a public holiday -> Wednesday 15 July.
        (date(2026, 7, 5), date(2026, 7, 15)),
        # Tuesday 5 May: 14 May 2026 is Ascension Day -> Friday 15 May.
        (date(2026, 5, 5), date(2026, 5, 15)),
        # Thursday 2 May 2026... Saturday 2 May: 11 May is a Monday, a working day.
        (date(2026, 5, 2), date(2026, 5, 11)),
    ],
)
def test_contest_window_across_week_ends_and_holidays(received, last):
    assert contest_last_day(received) == last


def test_alsace_moselle_has_its_own_holidays():
    # 26 December is a holiday in Moselle (57) only: 17 December + 9 = 26 (Saturday in 2026)
    # -> Monday 28 December anyway; 2025: 26 December is a Friday.
    assert contest_last_day(date(2025, 12, 17)) == date(2025, 12, 26)
    assert contest_last_day(date(2025, 12, 17), insee_code="57463") == date(2025, 12, 29)


def test_payment_due_thirty_days_after_notification():
    assert payment_due_on(date(2026, 9, 15)) == date(2026, 10, 15)
