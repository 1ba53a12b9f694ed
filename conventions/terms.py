"""The date rules of conventions, as pure functions (no database, no clock).

Each function takes the model's rules (``Rules``, read from a ConventionModel) and dates;
each rule cites the seed and article it comes from. Months count from date to date, with
the last day of a shorter month when the day does not exist (portal.calendar.add_months,
shared with sve.deadlines). Vocabulary:
- a period's ``last`` day is the last day the convention is in force in that period; the
  next period (or the end of the agreement) starts the day after (the "anniversary");
- a notice's ``ends_on`` is the last day the convention is in force after that notice.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from portal.calendar import add_months

START_DATE = "start_date"
CALENDAR_YEAR = "calendar_year"
MONTHS_BEFORE_END = "months_before_end"
DAY_OF_YEAR = "day_of_year"
NO_NOTICE = "none"
NEXT_YEAR = "next_year"
AS_AGREED = "as_agreed"
MEMBER = "member"
OPERATOR = "operator"
ORDINARY = "ordinary"
GENERAL_INTEREST = "general_interest"
TARIFF_RISE = "tariff_rise"

# Issue 9: both sides are told 30 days before a party's last day to give notice, and 90 days
# before a fixed-term convention ends.
NOTICE_REMINDER_DAYS = 30
FIXED_END_REMINDER_DAYS = 90


@dataclass(frozen=True)
class Rules:
    period_basis: str = START_DATE
    period_months: int = 12
    tacit_renewal: bool = True
    fixed_periods: int | None = None
    notice_rule: str = MONTHS_BEFORE_END
    notice_months: int = 3
    notice_deadline_member: str = ""
    notice_deadline_operator: str = ""
    operator_may_end_anytime: bool = False
    amendment_rule: str = AS_AGREED
    amendment_request_deadline: str = ""
    amendment_answer_months: int = 1
    tariff_withdrawal_months: int | None = None

    @classmethod
    def of(cls, model) -> "Rules":
        return cls(**{name: getattr(model, name) for name in cls.__dataclass_fields__})


@dataclass(frozen=True)
class Period:
    number: int  # 1 for the first period
    first: date
    last: date


@dataclass(frozen=True)
class NoticeEffect:
    on_time: bool
    ends_on: date  # last day in force
    last_day: date | None  # the last day the notice would have been on time (None: no rule)


def _day_of_year(spec: str, year: int) -> date:
    month, day = (int(part) for part in spec.split("-"))
    return date(year, month, day)


def period_bounds(rules: Rules, starts_on: date, number: int) -> Period:
    """Period ``number`` (1-based) of a convention that started on ``starts_on``.

    Seeds 000 art. 10, 001 art. 7, 004 art. 2: periods of N months counted from the start
    date, each from date to date (29 February + 12 months = 28 February; the next period
    counts from the start again, so the day comes back in leap years).
    Seeds 002 art. 7, 003 art. 24: calendar years (the first from the start date)."""
    if number < 1:
        raise ValueError("periods are numbered from 1")
    if rules.period_basis == CALENDAR_YEAR:
        year = starts_on.year + number - 1
        first = starts_on if number == 1 else date(year, 1, 1)
        return Period(number, first, date(year, 12, 31))
    months = rules.period_months
    first = add_months(starts_on, months * (number - 1))
    last = add_months(starts_on, months * number) - timedelta(days=1)
    return Period(number, first, last)


def period_containing(rules: Rules, starts_on: date, day: date) -> Period:
    """The period in which ``day`` falls (the first one for a day before the start)."""
    if day <= starts_on:
        return period_bounds(rules, starts_on, 1)
    if rules.period_basis == CALENDAR_YEAR:
        return period_bounds(rules, starts_on, day.year - starts_on.year + 1)
    months = (day.year - starts_on.year) * 12 + day.month - starts_on.month
    number = max(1, months // rules.period_months)
    period = period_bounds(rules, starts_on, number)
    while period.last < day:
        period = period_bounds(rules, starts_on, period.number + 1)
    while period.first > day:
        period = period_bounds(rules, starts_on, period.number - 1)
    return period


def next_anniversary(rules: Rules, starts_on: date, day: date) -> date:
    """The first day of the period after the one containing ``day`` (seed 000 art. 10:
    "date anniversaire de sa signature")."""
    return period_containing(rules, starts_on, day).last + timedelta(days=1)


def fixed_end(rules: Rules, starts_on: date) -> date | None:
    """Last day of a fixed-term convention (seed 002 art. 7: 2022-2024; seed 004 art. 2:
    one year from entry into force), None when tacitly renewed."""
    if rules.tacit_renewal or not rules.fixed_periods:
        return None
    return period_bounds(rules, starts_on, rules.fixed_periods).last


def notice_last_day(rules: Rules, *, party: str, period_last: date) -> date | None:
    """The last day a party may give notice for the convention to end at ``period_last``
    (None: the model provides no notice).

    Seed 000 art. 10 / seed 001 art. 7: 3 months before the anniversary (the day after the
    period's last day), counted from date to date; received on that day is still on time.
    Seed 002 art. 10: notified at the latest on 30 September of the year before 1 January.
    Seed 003 art. 24: "before 31 October" (member) / "before 31 July" (CDG), read strictly:
    the last day is 30 October / 30 July; the withdrawal takes effect on 31 December."""
    if rules.notice_rule == MONTHS_BEFORE_END:
        return add_months(period_last + timedelta(days=1), -rules.notice_months)
    if rules.notice_rule == DAY_OF_YEAR:
        spec = rules.notice_deadline_member if party == MEMBER else rules.notice_deadline_operator
        return _day_of_year(spec, period_last.year) if spec else None
    return None


def notice_effect(
    rules: Rules,
    *,
    starts_on: date,
    party: str,
    received_on: date,
    kind: str = ORDINARY,
    tariff_notified_on: date | None = None,
) -> NoticeEffect:
    """When a notice received on ``received_on`` ends the convention.

    On time for the current period: it ends at that period's last day. Too late: it is
    still recorded, and ends the convention at the end of the next period (the date the
    convention renews to), never after a fixed term's end."""
    end_of_term = fixed_end(rules, starts_on)
    if kind == GENERAL_INTEREST:
        # Seed 000 art. 10: the Département may end it for general interest at any time.
        if party != OPERATOR or not rules.operator_may_end_anytime:
            raise ValueError(
                "general-interest termination is the operator's, where the model allows it"
            )
        return NoticeEffect(True, received_on, None)
    if kind == TARIFF_RISE:
        # Seed 003 art. 23: within 3 months of the notified rise, effective on notification.
        window_end = tariff_withdrawal_last_day(rules, notified_on=tariff_notified_on)
        if window_end is not None and tariff_notified_on <= received_on <= window_end:
            return NoticeEffect(True, received_on, window_end)
    period = period_containing(rules, starts_on, received_on)
    last_day = notice_last_day(rules, party=party, period_last=period.last)
    if last_day is None:
        raise ValueError("this model provides no notice")
    if received_on <= last_day:
        effect = NoticeEffect(True, period.last, last_day)
    else:
        following = period_bounds(rules, starts_on, period.number + 1)
        effect = NoticeEffect(False, following.last, last_day)
    if end_of_term is not None and effect.ends_on > end_of_term:
        return NoticeEffect(effect.on_time, end_of_term, last_day)
    return effect


def tariff_withdrawal_last_day(rules: Rules, *, notified_on: date | None) -> date | None:
    """Seed 003 art. 23: after a tariff rise is notified, the member has 3 months to
    withdraw (date to date, the last day included)."""
    if notified_on is None or not rules.tariff_withdrawal_months:
        return None
    return add_months(notified_on, rules.tariff_withdrawal_months)


@dataclass(frozen=True)
class AmendmentDates:
    answer_due_on: date
    effective_on: date
    on_time: bool


def amendment_dates(
    rules: Rules, *, requested_on: date, effective_on: date | None = None
) -> AmendmentDates:
    """The answer due date and the date an amendment applies from.

    Seed 002 art. 9: asked at least 3 months before the end of the year (by 30 September)
    it applies on 1 January next; asked later, on 1 January of the year after; the
    Métropole answers within one month of receipt. Other models: the avenant's own date."""
    answer_due_on = add_months(requested_on, rules.amendment_answer_months)
    if rules.amendment_rule == NEXT_YEAR:
        deadline = _day_of_year(rules.amendment_request_deadline or "09-30", requested_on.year)
        on_time = requested_on <= deadline
        year = requested_on.year + (1 if on_time else 2)
        return AmendmentDates(answer_due_on, date(year, 1, 1), on_time)
    if effective_on is None:
        raise ValueError("this model's avenants take effect on the date they set")
    return AmendmentDates(answer_due_on, effective_on, True)


def notice_reminder_on(last_day: date) -> date:
    return last_day - timedelta(days=NOTICE_REMINDER_DAYS)


def fixed_end_reminder_on(ends_on: date) -> date:
    return ends_on - timedelta(days=FIXED_END_REMINDER_DAYS)


def threshold_reached(*, total_cents: int, threshold_cents: int) -> bool:
    """Seed 004 art. 5: in force from the day the commitments together exceed the threshold
    ("dépasse": strictly more than)."""
    return total_cents > threshold_cents


def threshold_lapsed(*, today: date, last_day: date) -> bool:
    """Seed 004 art. 5: signatures "before 1 July 2019": past the last day, they lapse."""
    return today > last_day
