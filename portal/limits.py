"""Abuse limits (issue 8): per IP and per account on login, sign-up, password reset, filing
and booking, pages and API alike, counted in Redis (the default cache).

- Pages: ``@limit("booking", account=...)`` (django-ratelimit counts the POSTs); over the
  limit, a 429 page in French.
- API: ``throttle_scope = "booking"`` and ``throttle_classes = API_THROTTLES``: the same
  counters as the pages (one per action, whatever the route); over the limit, a 429 JSON
  body in French (``api_exception_handler``).
- Lockout after failed logins: django-axes (settings block "Abuse limits"), per account
  and address together, for a growing delay (``lockout_delay``, issue 22); its answer is
  ``lockout_response``.

Every rate is ``settings.PORTAL_RATE_LIMITS["<scope>:ip"|"<scope>:account"]``, read at each
request so that tests and operators can change it.
"""

from collections.abc import Callable
from datetime import timedelta
from functools import wraps

from axes.backends import AxesStandaloneBackend
from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django_ratelimit.core import is_ratelimited
from rest_framework import exceptions
from rest_framework.throttling import BaseThrottle
from rest_framework.views import exception_handler

TOO_MANY = "Trop de tentatives : patientez quelques minutes avant de réessayer."
LOCKED = (
    "Trop de tentatives de connexion pour ce compte depuis votre adresse : il y est bloqué "
    "pendant quelques minutes, et plus longtemps à chaque nouvel essai. Patientez, ou "
    "choisissez « Mot de passe oublié »."
)
RETRY_AFTER_SECONDS = 60


def _rate(scope: str) -> str | None:
    """The limit of ``scope`` ("30/h"), or None for no limit (unset or set empty, as the
    README documents)."""
    return settings.PORTAL_RATE_LIMITS.get(scope) or None


def too_many_requests(request, message: str = TOO_MANY, retry_after: int = RETRY_AFTER_SECONDS):
    """The 429 answer: JSON under /api/, a page elsewhere."""
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": message, "code": "throttled"}, status=429)
    else:
        response = render(
            request, "portal/too_many_requests.html", {"message": message}, status=429
        )
    response["Retry-After"] = str(retry_after)
    return response


def email_of(field: str) -> Callable:
    """The account a POST is about, by its e-mail field (normalised), or ""."""

    def key(request) -> str:
        return (request.POST.get(field) or "").strip().lower()[:254]

    return key


def user_or_email(field: str) -> Callable:
    """The signed-in account, else the e-mail given in ``field``."""

    def key(request) -> str:
        if request.user.is_authenticated:
            return f"user:{request.user.pk}"
        return email_of(field)(request)

    return key


def limit(scope: str, *, account: Callable | None = None, when: Callable | None = None):
    """Count this view's POSTs (those ``when`` accepts) per IP, and per account when
    ``account`` names one; over ``PORTAL_RATE_LIMITS``, answer 429 without running the view."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            counted = request.method == "POST" and (when is None or when(request))
            if counted and _over(request, scope, account):
                return too_many_requests(request)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def _over(request, scope: str, account: Callable | None) -> bool:
    checks = [("ip", "ip")]
    if account is not None and (value := account(request)):
        checks.append(("account", lambda group, request, value=value: value))
    over = False
    for kind, key in checks:
        rate = _rate(f"{scope}:{kind}")
        if rate and is_ratelimited(
            request, group=f"{scope}:{kind}", key=key, rate=rate, method="POST", increment=True
        ):
            over = True
    return over


class ScopeThrottle(BaseThrottle):
    """DRF throttle on the view's ``throttle_scope``, counted by the pages' own counters
    (``_over``): one counter per action whatever the route (issue 22: pages and API counted
    apart allowed twice the documented rate). Only writes (POST) are counted."""

    def allow_request(self, request, view):
        scope = getattr(view, "throttle_scope", None)
        if request.method != "POST" or not scope:
            return True
        return not _over(request._request, scope, lambda _request: self.account(request))

    def wait(self):
        return RETRY_AFTER_SECONDS

    @staticmethod
    def account(request) -> str:
        """The signed-in account, else the e-mail address the body gives (each booking and
        filing mails it), spelled as the pages' ``user_or_email`` spells it."""
        if request.user and request.user.is_authenticated:
            return f"user:{request.user.pk}"
        # A body that does not parse raises ParseError here: DRF answers 400.
        email = request.data.get("email") if hasattr(request.data, "get") else None
        return email.strip().lower()[:254] if isinstance(email, str) else ""


API_THROTTLES = [ScopeThrottle]


def api_exception_handler(exc, context):
    """DRF's handler, with a French body for 429 (and its Retry-After)."""
    response = exception_handler(exc, context)
    if isinstance(exc, exceptions.Throttled) and response is not None:
        response.data = {"detail": TOO_MANY, "code": "throttled"}
    return response


def lockout_response(request, credentials, *args, **kwargs):
    """django-axes: the answer to a login on a locked account (429, page or JSON)."""
    failures = AxesProxyHandler.get_failures(request, credentials)
    delay = lockout_delay(failures=failures)
    return too_many_requests(request, LOCKED, retry_after=int(delay.total_seconds()))


def client_ip(request) -> str:
    """django-axes: where a login comes from, as the rate limits see it
    (RATELIMIT_IP_META_KEY), never from a header the client writes itself."""
    return request.META.get(settings.RATELIMIT_IP_META_KEY, "") or "unknown"


def lockout_delay(*, failures: int) -> timedelta:
    """Issue 22: how long an account stays locked from one address after ``failures`` failed
    logins from it: LOGIN_LOCKOUT_BASE_SECONDS at the limit, doubled at each further
    failure, at most LOGIN_LOCKOUT_MAX_SECONDS. Another address is not locked, so an
    attacker cannot keep the account's owner out."""
    beyond = min(max(0, failures - settings.AXES_FAILURE_LIMIT), 32)
    seconds = settings.LOGIN_LOCKOUT_BASE_SECONDS * 2**beyond
    return timedelta(seconds=min(seconds, settings.LOGIN_LOCKOUT_MAX_SECONDS))


def lockout_cool_off(request=None) -> timedelta:
    """django-axes' AXES_COOLOFF_TIME, asked before it counts a failure: the delay once it is
    counted (the counter of the account and address lives that long)."""
    if request is None or not hasattr(request, "axes_ip_address"):
        return lockout_delay(failures=0)
    failures = AxesProxyHandler.get_failures(request, {"username": login_username(request)})
    return lockout_delay(failures=failures + 1)


def login_username(request, credentials=None) -> str:
    """django-axes: the account a login is about, normalised as accounts are (e-mail in
    lower case), so that "A@x.fr" and "a@x.fr" count together."""
    value = (credentials or {}).get("username") or request.POST.get("username") or ""
    return value.strip().lower()[:254]


class LoginLockoutBackend(AxesStandaloneBackend):
    """django-axes' lockout check on web logins. ``authenticate()`` without a request (a
    script, the test client's ``login()``) is no web login: nothing to count or refuse."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
