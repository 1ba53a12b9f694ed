"""Dates of a titre de recette, one rule per function (legal days are ``date``)."""

from datetime import date, timedelta

# The jours francs reading is written once, in portal.calendar.
from portal.calendar import clear_days_end

# Seed 002 art. 5: a titre may be contested by e-mail "au plus tard 8 jours francs après sa
# réception"; then it is deemed accepted.
CONTEST_CLEAR_DAYS = 8
# Seed 002 art. 5: payment within 30 days of the notification of the titre (initial or
# corrected).
PAYMENT_DAYS = 30


def contest_last_day(received_on: date, *, insee_code: str = "") -> date:
    """Seed 002 art. 5: last day to contest a titre received on ``received_on``."""
    return clear_days_end(received_on, CONTEST_CLEAR_DAYS, insee_code=insee_code)


def payment_due_on(notified_on: date) -> date:
    """Seed 002 art. 5: payment due 30 days after notification (of the initial titre, or of
    the corrected one)."""
    return notified_on + timedelta(days=PAYMENT_DAYS)


def campaign_deadline(year: int) -> date:
    """Seed 002 art. 5: titres sent to the members by 30 September of the year billed."""
    return date(year, 9, 30)


def campaign_reminder_from(year: int) -> date:
    """Finance staff are reminded from 1 September while the year's campaign is not issued."""
    return date(year, 9, 1)


def exercice_closes_on(year: int) -> date:
    """CGCT L1612-11 (journée complémentaire): titres of the fonctionnement section of
    exercice ``year`` may be issued until 31 January of the next year, not after."""
    return date(year + 1, 1, 31)
