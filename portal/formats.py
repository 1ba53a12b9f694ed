"""Dates and sizes as a French administration writes them (issue 24 §3): « 15 juin 2031 »,
never "2031-06-15"; « 2 Mo », never "2 Mio". The helpers pages and letters go through; in
templates, ``{% load formats %}{{ value|french_date }}`` and ``{{ size|file_size }}``."""

from datetime import date, datetime

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import override

# « 15 juin 2031 »: the day without a leading zero, the month in words (Django's French
# locale), as in the Journal officiel; « 1er » for the first of the month.
LONG = "j F Y"


def french_date(value: date | datetime | str | None) -> str:
    """« 15 juin 2031 » for a date, an aware datetime (its day in Europe/Paris) or an ISO
    date string (what a form's date field stores); anything else is returned unchanged."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    with override("fr"):
        text = date_format(value, LONG)
    return text.replace("1 ", "1er ", 1) if value.day == 1 else text


def file_size(size: int) -> str:
    """« 1,5 Mo », « 300 Ko »: sizes as French readers know them (Django's French
    translation says "Mio"/"Kio"); the multiples of 1024 the portal's limits are set in (a
    limit typed as 2 Mo is 2 × 1024 × 1024 bytes) are written Ko and Mo, as Windows does."""
    if size < 1024:
        return f"{size} octet{'s' if size > 1 else ''}"
    for unit, scale in (("Ko", 1024), ("Mo", 1024**2), ("Go", 1024**3)):
        if size < scale * 1024 or unit == "Go":
            value = size / scale
            text = f"{value:.0f}" if value >= 10 or value == int(value) else f"{value:.1f}"
            return f"{text.replace('.', ',')} {unit}"
    raise AssertionError("unreachable")
