"""A place's weekly opening hours: the one text citizens read, and the ranges slots fit in.

Hours are ``{weekday: [(opens, closes), ...]}`` (0 = Monday, ranges sorted, none
overlapping), stored as rendezvous.models.PlaceHours rows. Everything citizens read about
hours (place cards, booking pages, the commune's home) is written by ``hours_lines``; the
slot generator (rendezvous.selectors.free_slots) and the agents' openings form
(rendezvous.forms.RuleForm) both ask ``hours_fit``.
"""

import re
from collections.abc import Iterable
from datetime import time

Range = tuple[time, time]
Hours = dict[int, list[Range]]

DAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
NBSP = "\u00a0"


def time_text(value: time) -> str:
    """French clock typography: 9 h, 8 h 30 (non-breaking spaces, no leading zero)."""
    text = f"{value.hour}{NBSP}h"
    return f"{text}{NBSP}{value.minute:02d}" if value.minute else text


def ranges_text(ranges: Iterable[Range]) -> str:
    return " et ".join(f"{time_text(a)} – {time_text(b)}" for a, b in ranges)


def _days_text(days: list[int]) -> str:
    """Mardi et jeudi; lundi, mardi et jeudi; du lundi au vendredi (three days or more in a
    row)."""
    if len(days) >= 3 and days == list(range(days[0], days[-1] + 1)):
        return f"du {DAYS[days[0]]} au {DAYS[days[-1]]}"
    names = [DAYS[d] for d in days]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " et " + names[-1]


def hours_lines(hours: Hours) -> list[str]:
    """One line per group of days with identical hours, in week order:
    ``["Du lundi au vendredi : 8 h 30 – 12 h et 13 h 30 – 17 h", "Samedi : 9 h – 12 h"]``.
    Empty when the place has no hours."""
    groups: dict[tuple[Range, ...], list[int]] = {}
    for weekday in sorted(hours):
        ranges = tuple(sorted(hours[weekday]))
        if ranges:
            groups.setdefault(ranges, []).append(weekday)
    lines = []
    for ranges, days in sorted(groups.items(), key=lambda item: item[1][0]):
        days_text = _days_text(days)
        lines.append(f"{days_text[0].upper()}{days_text[1:]}{NBSP}: {ranges_text(ranges)}")
    return lines


def hours_text(hours: Hours) -> str:
    return " ; ".join(hours_lines(hours))


def hours_problems(ranges: list[Range]) -> list[str]:
    """French messages for one day's ranges that are inverted, empty or overlapping."""
    problems = []
    for opens, closes in ranges:
        if closes <= opens:
            problems.append(
                f"La fermeture ({time_text(closes)}) doit suivre l'ouverture ({time_text(opens)})."
            )
    ordered = sorted(r for r in ranges if r[1] > r[0])
    for (a_open, a_close), (b_open, b_close) in zip(ordered, ordered[1:], strict=False):
        if b_open < a_close:
            problems.append(
                f"Les plages {ranges_text([(a_open, a_close)])} et "
                f"{ranges_text([(b_open, b_close)])} se chevauchent."
            )
    return problems


def hours_fit(ranges: Iterable[Range], start: time, end: time) -> bool:
    """Whether [start, end] lies wholly inside one of the day's opening ranges (a slot or
    an opening that ends exactly at closing time fits)."""
    return any(opens <= start and end <= closes for opens, closes in ranges)


def hours_clip(ranges: Iterable[Range], start: time, end: time) -> list[Range]:
    """The parts of [start, end] inside the day's opening ranges."""
    parts = []
    for opens, closes in sorted(ranges):
        a, b = max(opens, start), min(closes, end)
        if a < b:
            parts.append((a, b))
    return parts


# --- reading the former free text (data migration only) ----------------------------------

_TIME = r"(\d{1,2})\s*h\s*(\d{2})?"
_RANGE = re.compile(rf"^{_TIME}\s*[-–—à]\s*{_TIME}$")
_DAY = {name: index for index, name in enumerate(DAYS)}


def _parse_time(hour: str, minute: str | None) -> time | None:
    h, m = int(hour), int(minute or 0)
    return time(h, m) if h < 24 and m < 60 else None


def _parse_days(text: str) -> list[int] | None:
    text = text.strip().lower()
    span = re.fullmatch(r"(?:du\s+)?(\w+)\s+au\s+(\w+)", text)
    if span:
        first, last = _DAY.get(span[1]), _DAY.get(span[2])
        if first is None or last is None or last < first:
            return None
        return list(range(first, last + 1))
    names = [n.strip() for n in re.split(r",|\bet\b", text) if n.strip()]
    days = [_DAY.get(n) for n in names]
    return None if not days or None in days else days


def hours_parse(text: str) -> Hours | None:
    """Hours read from a free text written like ``hours_lines`` writes them ("Lundi au
    vendredi : 8 h 30 – 12 h et 13 h 30 – 17 h", one group per line or separated by ";"),
    or None when any part is not understood: nothing is guessed."""
    hours: Hours = {}
    parts = [p.strip() for p in re.split(r"[;\n]", text.replace(NBSP, " ")) if p.strip()]
    if not parts:
        return None
    for part in parts:
        days_text, colon, ranges_part = part.partition(":")
        days = _parse_days(days_text) if colon else None
        if not days:
            return None
        ranges = []
        for piece in re.split(r"\bet\b|,", ranges_part):
            match = _RANGE.match(piece.strip())
            if not match:
                return None
            opens, closes = _parse_time(match[1], match[2]), _parse_time(match[3], match[4])
            if opens is None or closes is None:
                return None
            ranges.append((opens, closes))
        if hours_problems(ranges):
            return None
        for day in days:
            if day in hours:
                return None
            hours[day] = sorted(ranges)
    return hours
