"""Legal deadlines of an online request, as pure functions (no database, no clock).

Dates of legal days are ``date``; the caller gives "today" and the commune's INSEE code
(which selects Alsace-Moselle or overseas holidays through portal.calendar).
"""

from dataclasses import dataclass
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

from portal.calendar import add_months, add_working_days, working_days_between

SVA = "sva"
SVR = "svr"

# CRPA L231-1: default delay after which silence is worth a decision: two months.
DEFAULT_DELAY_MONTHS = 2
# CRPA R112-11-2 al. 2: a non-instant electronic AR is sent at the latest 10 working days
# after receipt (R112-11-1 sets what it states).
AR_WORKING_DAYS = 10
AR_DELAY_ARTICLE = "R112-11-2"
# CRPA R112-11-2: the AEE is sent at the latest one working day after receipt.
AEE_WORKING_DAYS = 1
# Dashboard: an AR due within this many working days is flagged.
AR_SOON_WORKING_DAYS = 3
# Dashboard: an implicit decision arising within this many days is flagged.
DECISION_SOON_DAYS = 7
# CJA R421-1 / R421-2: two months to bring an appeal before the administrative court.
APPEAL_MONTHS = 2
# Letters say delays in words, as the texts do (« deux mois », « dix jours ouvrés »).
NUMBER_WORDS = {1: "un", 2: "deux", 3: "trois", 4: "quatre", 6: "six", 10: "dix", 12: "douze"}


def in_words(number: int, unit: str) -> str:
    """« deux mois », « dix jours ouvrés »: the wording of the texts (digits past twelve)."""
    return f"{NUMBER_WORDS.get(number, number)} {unit}"


@dataclass(frozen=True)
class PiecePeriod:
    """A request for pieces (CRPA L114-5): asked on ``asked_on``, to be sent by ``due_on``
    (the time given), received on ``completed_on``."""

    asked_on: date
    completed_on: date | None = None
    due_on: date | None = None

    def suspended_days(self) -> int | None:
        """Days an SVR delay stands still; None while it cannot be known yet.

        CRPA L114-5 al. 3: the SVR delay is suspended for the time given to send the pieces;
        sending them before that time ends the suspension."""
        ends = [d for d in (self.completed_on, self.due_on) if d is not None]
        if not ends:
            return None
        return max(0, (min(ends) - self.asked_on).days)


def add_delay(start: date, *, months: int = 0, days: int = 0) -> date:
    """Date-to-date count: 31 December + 2 months = last day of February (end of month kept
    within the target month); the arithmetic is portal.calendar.add_months, shared."""
    return add_months(start, months, days=days)


def aee_due_on(received_on: date, *, insee_code: str = "") -> date:
    # CRPA L112-11 / R112-11-2: AEE at the latest the first working day after receipt.
    return add_working_days(received_on, AEE_WORKING_DAYS, insee_code=insee_code)


def ar_due_on(received_on: date, *, insee_code: str = "") -> date:
    # CRPA R112-11-2: AR within 10 working days of receipt of the electronic request.
    return add_working_days(received_on, AR_WORKING_DAYS, insee_code=insee_code)


def ar_flag(
    *, due_on: date | None, acknowledged: bool, today: date, insee_code: str = ""
) -> str | None:
    if acknowledged or due_on is None:
        return None
    if today > due_on:
        return "overdue"
    if working_days_between(today, due_on, insee_code=insee_code) <= AR_SOON_WORKING_DAYS:
        return "soon"
    return None


def ar_soon_until(today: date, *, insee_code: str = "") -> date:
    """The last AR due date the dashboard flags as due soon (AR_SOON_WORKING_DAYS)."""
    return add_working_days(today, AR_SOON_WORKING_DAYS, insee_code=insee_code)


def implicit_outcome_announced(*, asks_decision: bool) -> bool:
    """Whether the citizen is told of an implicit outcome (and the job brings it about).

    CRPA L231-4 1°: silence on a request that does not seek an individual decision (a
    report, a question) is worth refusal; the law owes it no announced date, and a "refusal"
    of a reported pothole reads as a threat: such messages get the receipt CRPA L112-3
    owes and are closed as handled. Requests for a decision get the outcome and its date
    (CRPA R112-5)."""
    return asks_decision


def implicit_decision_on(
    *,
    regime: str,
    received_on: date,
    delay_months: int = DEFAULT_DELAY_MONTHS,
    delay_days: int = 0,
    piece_periods: tuple[PiecePeriod, ...] | list[PiecePeriod] = (),
    asks_decision: bool = True,
) -> date | None:
    """The date the implicit decision arises; None for SVA while pieces are pending, and
    None for a message that asks no decision (implicit_outcome_announced).

    CRPA L231-1 / L231-4: delay (2 months by default) counted from receipt of the request.
    CRPA L114-5 al. 2: for SVA the delay starts only from the day the file is complete.
    CRPA L114-5 al. 3: for SVR it is suspended for the time given to send the pieces, or
    until they arrive if sooner: a citizen who never sends them still gets a date.
    """
    if not implicit_outcome_announced(asks_decision=asks_decision):
        return None
    if regime == SVA:
        if any(period.completed_on is None for period in piece_periods):
            return None
        start = max((p.completed_on for p in piece_periods), default=received_on)
        return add_delay(start, months=delay_months, days=delay_days)
    end = add_delay(received_on, months=delay_months, days=delay_days)
    suspensions = [p.suspended_days() for p in piece_periods]
    if any(days is None for days in suspensions):
        return None
    return end + relativedelta(days=sum(suspensions))


def implicit_decisions_arisen_until(today: date) -> date:
    """The latest implicit-decision date whose decision has arisen by ``today``.

    CRPA L231-1: the implicit decision is born once the delay has fully run out, so the
    administration may still decide expressly on the last day: it arises the day after."""
    return today - timedelta(days=1)


def implicit_decision_due(*, decision_on: date | None, today: date) -> bool:
    return decision_on is not None and decision_on <= implicit_decisions_arisen_until(today)


def appeal_deadline(*, notified_on: date, ar_complete: bool = True) -> date | None:
    """Last day to appeal a refusal; None when it cannot be opposed to the citizen.

    CJA R421-1 / R421-2: two months from notification (or from the implicit refusal).
    CRPA L112-6: without a complete AR, appeal delays are not opposable."""
    if not ar_complete:
        return None
    return add_delay(notified_on, months=APPEAL_MONTHS)


def days_left(*, deadline: date | None, today: date) -> int | None:
    return None if deadline is None else (deadline - today).days


def decision_flag(*, decision_on: date | None, clock_running: bool, today: date) -> str | None:
    """ "overdue", "soon" (within DECISION_SOON_DAYS) or "later" for a request whose clock
    runs; None otherwise (decided, or waiting for pieces)."""
    left = days_left(deadline=decision_on, today=today)
    if not clock_running or left is None:
        return None
    if left < 0:
        return "overdue"
    return "soon" if left <= DECISION_SOON_DAYS else "later"
