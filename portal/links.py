"""Links reversed once rather than on every use (issue 11 §4).

``reverse()`` walks the URL patterns on every call. A link without arguments cannot change
while the process runs, for a given URL configuration (the operator's host and members'
hosts have their own) and script prefix, which key the memo; settings changed by tests
clear it. A list's links to each of its rows (``pk_url``) are reversed once per list.
"""

from collections.abc import Callable

from django.conf import settings
from django.core.signals import setting_changed
from django.http.request import split_domain_port
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


def pk_url(name: str) -> Callable[[int], str]:
    """``reverse(name, args=[pk])`` for the rows of a list: reversed once, with 0 for the
    pk, which each call puts in its place (the name's pattern has the pk as a path
    segment of its own)."""
    url_zero = reverse(name, args=[0])
    return lambda pk: url_zero.replace("/0/", f"/{pk}/")


def host_origin(host: str) -> str:
    """ "scheme://host[:port]" of one of the platform's hosts, with the configured scheme and
    port (PORTAL_SCHEME, PORTAL_PORT): the one way links to a host are built."""
    port = f":{settings.PORTAL_PORT}" if settings.PORTAL_PORT else ""
    return f"{settings.PORTAL_SCHEME}://{host}{port}"


def site_url(request, path: str) -> str:
    """An absolute link to ``path`` on this request's site, for a message sent by e-mail: the
    host the tenant lookup matched (``host_origin``), never the port a client wrote in its
    Host header (issue 22)."""
    host, _port = split_domain_port(request.get_host())
    return host_origin(host) + path
