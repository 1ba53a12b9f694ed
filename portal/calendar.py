"""Legal calendar: French public holidays and working days (shared by SVE and appointments).

Working days exclude Saturdays, Sundays and French public holidays, Easter-based ones included
(the ``holidays`` package). Communes of départements 57, 67 and 68 (Alsace-Moselle) also
have Good Friday and 26 December; overseas départements have their own days (abolition of
slavery), through the package's subdivisions.
"""

from datetime import date, timedelta
from functools import lru_cache

import holidays
from dateutil.relativedelta import relativedelta
from django.db import connection

# Département -> subdivision of holidays.France: Moselle, Alsace (67, 68), overseas.
SUBDIVISIONS = {"57": "57", "67": "6AE", "68": "6AE"} | {
    code: code for code in ("971", "972", "973", "974", "976")
}


def current_insee_code() -> str:
    """The INSEE code of the commune whose schema is active, "" where there is none (the
    operator's schema, a body without one): the one reading of it, for every local calendar."""
    tenant = getattr(connection, "tenant", None)
    return getattr(tenant, "insee_code", "") or ""


def departement_of(insee_code: str) -> str:
    """The département of a commune's INSEE code ("05107" -> "05", "97411" -> "974")."""
    if insee_code.startswith("97"):
        return insee_code[:3]
    return insee_code[:2]


@lru_cache(maxsize=64)
def _holidays(year: int, subdiv: str | None) -> frozenset[date]:
    return frozenset(holidays.France(years=year, subdiv=subdiv).keys())


def public_holidays(year: int, *, insee_code: str = "") -> frozenset[date]:
    """Public holidays of ``year`` for a commune (its INSEE code picks local ones)."""
    return _holidays(year, SUBDIVISIONS.get(departement_of(insee_code)))


def is_working_day(day: date, *, insee_code: str = "") -> bool:
    return day.weekday() < 5 and day not in public_holidays(day.year, insee_code=insee_code)


def add_working_days(start: date, days: int, *, insee_code: str = "") -> date:
    """The date ``days`` working days after ``start`` (``start`` itself not counted)."""
    current = start
    remaining = days
    while remaining > 0:
        current += timedelta(days=1)
        if is_working_day(current, insee_code=insee_code):
            remaining -= 1
    return current


def working_days_between(start: date, end: date, *, insee_code: str = "") -> int:
    """Working days after ``start`` up to and including ``end`` (negative if end < start)."""
    if end < start:
        return -working_days_between(end, start, insee_code=insee_code)
    return sum(
        1
        for offset in range(1, (end - start).days + 1)
        if is_working_day(start + timedelta(days=offset), insee_code=insee_code)
    )


def add_months(start: date, months: int = 0, *, days: int = 0) -> date:
    """Months counted from date to date, as legal delays are (CRPA, seeds' "N mois"): the
    same day of the target month, or its last day when that day does not exist
    (31 December + 2 months = 28 or 29 February). ``months`` may be negative."""
    return start + relativedelta(months=months, days=days)


def next_working_day(day: date, *, insee_code: str = "") -> date:
    """``day`` itself if it is a working day, else the first working day after it."""
    while not is_working_day(day, insee_code=insee_code):
        day += timedelta(days=1)
    return day


def clear_days_end(start: date, days: int, *, insee_code: str = "") -> date:
    """Last day to act within ``days`` jours francs of ``start``: neither the day of the
    event nor the day it falls due counts (8 clear days from 1 June run until the end of
    10 June), and a last day that is a Saturday, Sunday or public holiday moves to the next
    working day (CPC art. 641-642, the reading the administrative courts apply)."""
    return next_working_day(start + timedelta(days=days + 1), insee_code=insee_code)
