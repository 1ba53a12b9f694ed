"""Worked examples of the legal deadlines (sve.deadlines)."""

from datetime import date

from sve import deadlines
from sve.deadlines import PiecePeriod

HAUTES_ALPES = "05107"
STRASBOURG = "67482"


def test_31_december_plus_two_months_is_last_day_of_february():
    assert deadlines.add_delay(date(2026, 12, 31), months=2) == date(2027, 2, 28)
    assert deadlines.add_delay(date(2027, 12, 31), months=2) == date(2028, 2, 29)  # leap year
    assert deadlines.implicit_decision_on(regime="sva", received_on=date(2026, 12, 31)) == date(
        2027, 2, 28
    )


def test_date_to_date_in_an_ordinary_month():
    assert deadlines.add_delay(date(2026, 3, 15), months=2) == date(2026, 5, 15)
    assert deadlines.add_delay(date(2026, 3, 15), months=1, days=10) == date(2026, 4, 25)


def test_request_received_the_friday_before_easter_monday():
    # Easter 2026 is Sunday 5 April: Friday 3 April, Easter Monday 6 April (holiday).
    friday = date(2026, 4, 3)
    # AEE due the next working day: Tuesday 7 April (Saturday, Sunday, Easter Monday skipped).
    assert deadlines.aee_due_on(friday, insee_code=HAUTES_ALPES) == date(2026, 4, 7)
    # AR: 10 working days, from Tuesday 7 to Monday 20 April.
    assert deadlines.ar_due_on(friday, insee_code=HAUTES_ALPES) == date(2026, 4, 20)
    # The implicit decision runs date to date, holidays do not move it.
    assert deadlines.implicit_decision_on(regime="svr", received_on=friday) == date(2026, 6, 3)


def test_good_friday_is_a_holiday_only_in_alsace_moselle():
    thursday = date(2026, 4, 2)
    assert deadlines.aee_due_on(thursday, insee_code=HAUTES_ALPES) == date(2026, 4, 3)
    assert deadlines.aee_due_on(thursday, insee_code=STRASBOURG) == date(2026, 4, 7)


def test_ar_ten_working_days_spanning_1_and_8_may():
    # 2026: Friday 1 May and Friday 8 May are holidays. Received Thursday 30 April.
    received = date(2026, 4, 30)
    # Working days: 4,5,6,7 May; 11,12,13 May; (14 May is Ascension) 15, 18, 19 May.
    assert deadlines.ar_due_on(received, insee_code=HAUTES_ALPES) == date(2026, 5, 19)


def test_ar_flag_marks_overdue_and_soon():
    due = deadlines.ar_due_on(date(2026, 4, 30), insee_code=HAUTES_ALPES)  # 19 May
    kwargs = {"due_on": due, "insee_code": HAUTES_ALPES}
    assert deadlines.ar_flag(acknowledged=False, today=date(2026, 5, 4), **kwargs) is None
    assert deadlines.ar_flag(acknowledged=False, today=date(2026, 5, 15), **kwargs) == "soon"
    assert deadlines.ar_flag(acknowledged=False, today=date(2026, 5, 19), **kwargs) == "soon"
    assert deadlines.ar_flag(acknowledged=False, today=date(2026, 5, 20), **kwargs) == "overdue"
    assert deadlines.ar_flag(acknowledged=True, today=date(2026, 5, 20), **kwargs) is None


def test_the_table_filter_and_the_flag_read_ar_soon_alike():
    # Tuesday 12 May 2026: 13 May, (14 May is Ascension) 15 and 18 May are the next three
    # working days; the "late" filter and the row's flag both stop at 18 May.
    today = date(2026, 5, 12)
    until = deadlines.ar_soon_until(today, insee_code=HAUTES_ALPES)
    assert until == date(2026, 5, 18)
    flag = {"acknowledged": False, "today": today, "insee_code": HAUTES_ALPES}
    assert deadlines.ar_flag(due_on=until, **flag) == "soon"
    assert deadlines.ar_flag(due_on=date(2026, 5, 19), **flag) is None


def test_sva_restarts_from_completion_but_svr_is_suspended():
    received = date(2026, 1, 10)  # would be 10 March without pieces
    asked, completed = date(2026, 1, 20), date(2026, 2, 4)  # 15 days of suspension
    periods = [PiecePeriod(asked_on=asked, completed_on=completed)]
    # SVA: the delay starts over from the day the file is complete.
    assert deadlines.implicit_decision_on(
        regime="sva", received_on=received, piece_periods=periods
    ) == date(2026, 4, 4)
    # SVR: the delay is suspended 15 days, then runs on.
    assert deadlines.implicit_decision_on(
        regime="svr", received_on=received, piece_periods=periods
    ) == date(2026, 3, 25)


def test_sva_has_no_implicit_decision_date_while_pieces_are_pending():
    # CRPA L114-5 al. 2: the SVA delay starts only when the file is complete.
    periods = [PiecePeriod(asked_on=date(2026, 1, 20), due_on=date(2026, 2, 20))]
    assert (
        deadlines.implicit_decision_on(
            regime="sva", received_on=date(2026, 1, 10), piece_periods=periods
        )
        is None
    )


def test_svr_citizen_who_never_sends_the_pieces_still_gets_a_decision_date():
    # Received 10 January (10 March without pieces); asked 20 January, 31 days given (until
    # 20 February): the delay stands still 31 days, then runs on: 10 March + 31 = 10 April.
    periods = [PiecePeriod(asked_on=date(2026, 1, 20), due_on=date(2026, 2, 20))]
    assert deadlines.implicit_decision_on(
        regime="svr", received_on=date(2026, 1, 10), piece_periods=periods
    ) == date(2026, 4, 10)


def test_svr_pieces_sent_early_end_the_suspension():
    # Same request, pieces sent on 4 February: 15 days of suspension, not 31.
    periods = [
        PiecePeriod(
            asked_on=date(2026, 1, 20), due_on=date(2026, 2, 20), completed_on=date(2026, 2, 4)
        )
    ]
    assert deadlines.implicit_decision_on(
        regime="svr", received_on=date(2026, 1, 10), piece_periods=periods
    ) == date(2026, 3, 25)


def test_svr_pieces_sent_late_suspend_only_for_the_time_given():
    # Pieces sent 10 March, after the 20 February limit: the suspension stays 31 days.
    periods = [
        PiecePeriod(
            asked_on=date(2026, 1, 20), due_on=date(2026, 2, 20), completed_on=date(2026, 3, 10)
        )
    ]
    assert deadlines.implicit_decision_on(
        regime="svr", received_on=date(2026, 1, 10), piece_periods=periods
    ) == date(2026, 4, 10)
    assert periods[0].suspended_days() == 31


def test_implicit_decision_is_due_the_day_after_its_date():
    day = date(2026, 3, 10)
    assert not deadlines.implicit_decision_due(decision_on=day, today=day)
    assert deadlines.implicit_decision_due(decision_on=day, today=date(2026, 3, 11))
    assert not deadlines.implicit_decision_due(decision_on=None, today=date(2030, 1, 1))


def test_appeal_two_months_and_not_opposable_without_ar():
    assert deadlines.appeal_deadline(notified_on=date(2026, 12, 31)) == date(2027, 2, 28)
    assert deadlines.appeal_deadline(notified_on=date(2026, 5, 4), ar_complete=False) is None


def test_a_report_or_question_gets_no_implicit_decision_date():
    # CRPA L231-4 1°: such a message seeks no individual decision; none is announced.
    assert deadlines.implicit_outcome_announced(asks_decision=False) is False
    assert (
        deadlines.implicit_decision_on(
            regime="svr", received_on=date(2026, 12, 4), asks_decision=False
        )
        is None
    )
    assert deadlines.implicit_decision_on(regime="svr", received_on=date(2026, 12, 4)) == date(
        2027, 2, 4
    )
