"""Every date rule of conventions.terms with the seeds' worked examples (pure functions)."""

from datetime import date

import pytest

from conventions import terms
from conventions.seeds import MODELS


def rules(seed: str) -> terms.Rules:
    spec = next(m for m in MODELS if m["seed"] == seed)
    fields = terms.Rules.__dataclass_fields__
    return terms.Rules(**{k: v for k, v in spec.items() if k in fields})


SEED_000 = rules("000")
SEED_002 = rules("002")
SEED_003 = rules("003")
SEED_004 = rules("004")


# Seed 000 art. 10: one year from signature, renewed tacitly; notice 3 months before the
# anniversary. Puy-Saint-André's agreement was received on 8 September 2023.
def test_seed_000_first_period_and_anniversary():
    period = terms.period_containing(SEED_000, date(2023, 9, 8), date(2024, 1, 15))
    assert (period.number, period.first, period.last) == (1, date(2023, 9, 8), date(2024, 9, 7))
    assert terms.next_anniversary(SEED_000, date(2023, 9, 8), date(2024, 1, 15)) == date(2024, 9, 8)
    assert terms.fixed_end(SEED_000, date(2023, 9, 8)) is None  # tacit renewal


def test_seed_000_the_anniversary_itself_starts_the_next_period():
    period = terms.period_containing(SEED_000, date(2023, 9, 8), date(2024, 9, 8))
    assert (period.number, period.first, period.last) == (2, date(2024, 9, 8), date(2025, 9, 7))


def test_seed_000_notice_on_the_last_valid_day_ends_at_the_anniversary():
    effect = terms.notice_effect(
        SEED_000, starts_on=date(2023, 9, 8), party="member", received_on=date(2024, 6, 8)
    )
    assert effect == terms.NoticeEffect(True, date(2024, 9, 7), date(2024, 6, 8))


def test_seed_000_notice_the_day_after_renews_once_more():
    effect = terms.notice_effect(
        SEED_000, starts_on=date(2023, 9, 8), party="operator", received_on=date(2024, 6, 9)
    )
    assert effect == terms.NoticeEffect(False, date(2025, 9, 7), date(2024, 6, 8))


def test_seed_000_end_of_month_anniversary_gives_the_last_day_of_february():
    # Signed 31 May 2025: anniversary 31 May 2026; 3 months before = 28 February 2026.
    assert terms.notice_last_day(SEED_000, party="member", period_last=date(2026, 5, 30)) == date(
        2026, 2, 28
    )
    on_time = terms.notice_effect(
        SEED_000, starts_on=date(2025, 5, 31), party="member", received_on=date(2026, 2, 28)
    )
    late = terms.notice_effect(
        SEED_000, starts_on=date(2025, 5, 31), party="member", received_on=date(2026, 3, 1)
    )
    assert (on_time.on_time, on_time.ends_on) == (True, date(2026, 5, 30))
    assert (late.on_time, late.ends_on) == (False, date(2027, 5, 30))


def test_seed_000_signed_on_29_february_comes_back_in_leap_years():
    start = date(2024, 2, 29)
    assert terms.period_bounds(SEED_000, start, 1).last == date(2025, 2, 27)
    assert terms.period_bounds(SEED_000, start, 2).first == date(2025, 2, 28)
    assert terms.period_bounds(SEED_000, start, 4).last == date(2028, 2, 28)
    assert terms.period_bounds(SEED_000, start, 5).first == date(2028, 2, 29)
    # Anniversary 29 February 2028: notice by 29 November 2027.
    assert terms.notice_last_day(SEED_000, party="member", period_last=date(2028, 2, 28)) == date(
        2027, 11, 29
    )


def test_seed_000_general_interest_ends_on_the_day_for_the_operator_only():
    effect = terms.notice_effect(
        SEED_000,
        starts_on=date(2023, 9, 8),
        party="operator",
        received_on=date(2025, 4, 10),
        kind="general_interest",
    )
    assert (effect.on_time, effect.ends_on) == (True, date(2025, 4, 10))
    with pytest.raises(ValueError):
        terms.notice_effect(
            SEED_000,
            starts_on=date(2023, 9, 8),
            party="member",
            received_on=date(2025, 4, 10),
            kind="general_interest",
        )


def test_reminders_thirty_days_before_notice_and_ninety_before_a_fixed_end():
    assert terms.notice_reminder_on(date(2024, 6, 8)) == date(2024, 5, 9)
    assert terms.fixed_end_reminder_on(date(2024, 12, 31)) == date(2024, 10, 2)


# Seed 002 art. 7: 2022-2023-2024; art. 10: termination on 1 January, notified by 30
# September of the year before; art. 9: amendments.
def test_seed_002_fixed_period_of_three_calendar_years():
    assert terms.fixed_end(SEED_002, date(2022, 1, 1)) == date(2024, 12, 31)
    period = terms.period_containing(SEED_002, date(2022, 1, 1), date(2023, 5, 4))
    assert (period.number, period.first, period.last) == (2, date(2023, 1, 1), date(2023, 12, 31))


def test_seed_002_notice_by_30_september_takes_effect_on_1_january():
    on_time = terms.notice_effect(
        SEED_002, starts_on=date(2022, 1, 1), party="member", received_on=date(2022, 9, 30)
    )
    assert on_time == terms.NoticeEffect(True, date(2022, 12, 31), date(2022, 9, 30))
    late = terms.notice_effect(
        SEED_002, starts_on=date(2022, 1, 1), party="operator", received_on=date(2022, 10, 1)
    )
    assert late == terms.NoticeEffect(False, date(2023, 12, 31), date(2022, 9, 30))


def test_seed_002_a_late_notice_in_the_last_year_ends_with_the_fixed_term():
    effect = terms.notice_effect(
        SEED_002, starts_on=date(2022, 1, 1), party="member", received_on=date(2024, 10, 1)
    )
    assert (effect.on_time, effect.ends_on) == (False, date(2024, 12, 31))


def test_seed_002_amendment_on_time_applies_on_1_january_next():
    dates = terms.amendment_dates(SEED_002, requested_on=date(2023, 9, 30))
    assert dates == terms.AmendmentDates(date(2023, 10, 30), date(2024, 1, 1), True)


def test_seed_002_amendment_the_day_after_applies_a_year_later():
    dates = terms.amendment_dates(SEED_002, requested_on=date(2023, 10, 1))
    assert dates == terms.AmendmentDates(date(2023, 11, 1), date(2025, 1, 1), False)


def test_seed_002_answer_within_one_month_keeps_the_end_of_month():
    assert terms.amendment_dates(SEED_002, requested_on=date(2023, 1, 31)).answer_due_on == date(
        2023, 2, 28
    )
    assert terms.amendment_dates(SEED_002, requested_on=date(2024, 1, 31)).answer_due_on == date(
        2024, 2, 29
    )


def test_models_without_a_yearly_rule_need_the_avenant_s_own_date():
    with pytest.raises(ValueError):
        terms.amendment_dates(SEED_000, requested_on=date(2025, 3, 1))
    dates = terms.amendment_dates(
        SEED_000, requested_on=date(2025, 3, 1), effective_on=date(2025, 4, 1)
    )
    assert dates.effective_on == date(2025, 4, 1)


# Seed 003 art. 24: before 31 October (member) / 31 July (CDG), effective 31 December.
@pytest.mark.parametrize(
    ("party", "received_on", "on_time", "ends_on"),
    [
        ("member", date(2025, 10, 30), True, date(2025, 12, 31)),
        ("member", date(2025, 10, 31), False, date(2026, 12, 31)),
        ("operator", date(2025, 7, 30), True, date(2025, 12, 31)),
        ("operator", date(2025, 7, 31), False, date(2026, 12, 31)),
    ],
)
def test_seed_003_withdrawal_deadlines(party, received_on, on_time, ends_on):
    effect = terms.notice_effect(
        SEED_003, starts_on=date(2021, 1, 1), party=party, received_on=received_on
    )
    assert (effect.on_time, effect.ends_on) == (on_time, ends_on)


def test_seed_003_three_months_to_withdraw_after_a_tariff_rise():
    notified = date(2025, 11, 30)
    assert terms.tariff_withdrawal_last_day(SEED_003, notified_on=notified) == date(2026, 2, 28)
    within = terms.notice_effect(
        SEED_003,
        starts_on=date(2021, 1, 1),
        party="member",
        received_on=date(2026, 2, 28),
        kind="tariff_rise",
        tariff_notified_on=notified,
    )
    assert (within.on_time, within.ends_on) == (True, date(2026, 2, 28))
    # The day after, the window is closed: the ordinary rule applies (end of that year).
    after = terms.notice_effect(
        SEED_003,
        starts_on=date(2021, 1, 1),
        party="member",
        received_on=date(2026, 3, 1),
        kind="tariff_rise",
        tariff_notified_on=notified,
    )
    assert (after.on_time, after.ends_on) == (True, date(2026, 12, 31))


# Seed 004 art. 2 and 5.
def test_seed_004_one_year_from_entry_into_force_without_notice():
    assert terms.fixed_end(SEED_004, date(2019, 3, 15)) == date(2020, 3, 14)
    with pytest.raises(ValueError):
        terms.notice_effect(
            SEED_004, starts_on=date(2019, 3, 15), party="member", received_on=date(2019, 5, 1)
        )


def test_seed_004_the_threshold_must_be_exceeded_not_just_reached():
    assert not terms.threshold_reached(total_cents=50_000_000, threshold_cents=50_000_000)
    assert terms.threshold_reached(total_cents=50_000_001, threshold_cents=50_000_000)


def test_seed_004_signatures_before_1_july_2019():
    assert not terms.threshold_lapsed(today=date(2019, 6, 30), last_day=date(2019, 6, 30))
    assert terms.threshold_lapsed(today=date(2019, 7, 1), last_day=date(2019, 6, 30))


def test_month_arithmetic_is_shared_with_sve():
    from portal.calendar import add_months
    from sve import deadlines

    assert deadlines.add_delay(date(2026, 12, 31), months=2) == add_months(date(2026, 12, 31), 2)
    assert add_months(date(2026, 5, 31), -3) == date(2026, 2, 28)
