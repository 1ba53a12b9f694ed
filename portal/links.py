"""Links that take no argument, reversed once per process (issue 11 §4).

``reverse()`` walks the URL patterns on every call; a link without arguments cannot change
while the process runs, for a given URL configuration (the operator's host and members'
hosts have their own) and script prefix, which key the memo. Settings changed by tests
clear it.
"""

from django.core.signals import setting_changed
from django.urls import get_script_prefix, get_urlconf, reverse

_reversed: dict[tuple[str | None, str, str], str] = {}


def reverse_fixed(name: str) -> str:
    """``reverse(name)`` for a URL name without arguments, from the memo after the first."""
    key = (get_urlconf(), get_script_prefix(), name)
    try:
        return _reversed[key]
    except KeyError:
        url = _reversed[key] = reverse(name)
        return url


def _forget(**kwargs) -> None:
    _reversed.clear()


setting_changed.connect(_forget)
