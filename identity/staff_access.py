"""One policy for staff access (issue 22), applied here to every staff surface of every host:

- the surfaces: the operator's (operations, e-mails, support desk, conventions, finance and
  their API, the technical admin), each commune's back office and agent API, and the SSO
  provider's authorize endpoint, which hands out codes for every commune;
- an account that must use a second factor (``second_factor_required``: platform admins,
  finance, the support desk, technical staff, and anyone who enrolled one) reaches them only
  from a session that passed it: a page sends it to the verification step, the API answers
  403 ``second_factor``. A commune that requires the second factor of its staff sends
  members without one to enrol (``portal.permissions.member_required``);
- a staff session ends after ``STAFF_SESSION_IDLE_SECONDS`` without use (citizens' sessions
  keep Django's two weeks).

Views declare nothing more than their role: the role decorators and API permissions mark
them ``staff_only``. tests/security/test_staff_access.py walks the URL resolver so that no
route escapes.
"""

import time

from django.conf import settings
from django.contrib.auth import logout
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from rest_framework.views import APIView

from identity.services.second_factor import has_staff_role, user_has_second_factor
from identity.services.sessions import SEEN_AT_KEY
from portal import dataversion
from portal.permissions import membership_for

# The provider's authorize endpoint: a code from it opens a session on any commune's host.
STAFF_VIEW_NAMES = {"oauth2_provider:authorize"}
# How often a staff session's last use is written down (a write per request otherwise).
SEEN_RESOLUTION_SECONDS = 300
SECOND_FACTOR_DETAIL = (
    "Cette action demande une session vérifiée par la double authentification : "
    "reconnectez-vous avec votre code."
)


def is_staff_surface(request, view_func) -> bool:
    view_class = getattr(view_func, "cls", None) or getattr(view_func, "view_class", None)
    if getattr(view_func, "staff_only", False) or getattr(view_class, "staff_only", False):
        return True
    match = request.resolver_match
    return match is not None and (match.namespace == "admin" or match.view_name in STAFF_VIEW_NAMES)


def _account_roles(user) -> tuple[bool, bool]:
    """(holds a staff role, enrolled a second factor), kept in memory under the public
    schema's data version (the role and device tables raise it): no query per page."""

    def read() -> tuple[bool, bool]:
        return has_staff_role(user=user), user_has_second_factor(user=user)

    version = dataversion.read_for_request(public=True)
    if version is None:
        return read()
    return dataversion.local_cached(("staff-access", user.pk), version, read)


def _is_staff_session_user(request, user, staff_role: bool) -> bool:
    tenant = getattr(request, "tenant", None)
    if staff_role:
        return True
    return (
        tenant is not None and not tenant.is_operator and membership_for(user, tenant) is not None
    )


def _seen(request) -> None:
    """This staff session is in use: it ends after STAFF_SESSION_IDLE_SECONDS without."""
    now = int(time.time())
    if now - request.session.get(SEEN_AT_KEY, 0) >= SEEN_RESOLUTION_SECONDS:
        request.session[SEEN_AT_KEY] = now
        request.session.set_expiry(settings.STAFF_SESSION_IDLE_SECONDS)


def verification_url(next_path: str) -> str:
    return f"{reverse('identity:second_factor_check')}?{urlencode({'next': next_path})}"


class StaffAccessMiddleware:
    """After authentication and django-otp's middleware (the session's device)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        seen = request.session.get(SEEN_AT_KEY)
        if seen is not None and time.time() - seen > settings.STAFF_SESSION_IDLE_SECONDS:
            logout(request)  # a working day unused: the next page asks to sign in again
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not is_staff_surface(request, view_func):
            return None
        user = request.user
        if not user.is_authenticated:
            return None  # the view sends to the login page
        if SEEN_AT_KEY in request.session:
            _seen(request)  # a staff session already
            if user.is_verified():
                return None
        staff_role, enrolled = _account_roles(user)
        if SEEN_AT_KEY not in request.session and _is_staff_session_user(request, user, staff_role):
            _seen(request)
        if not (staff_role or enrolled) or user.is_verified():
            return None
        view_class = getattr(view_func, "cls", None)
        if (view_class is not None and issubclass(view_class, APIView)) or request.path.startswith(
            "/api/"
        ):
            return JsonResponse(
                {"detail": SECOND_FACTOR_DETAIL, "code": "second_factor"}, status=403
            )
        return redirect(verification_url(request.get_full_path()))
