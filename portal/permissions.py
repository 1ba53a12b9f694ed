"""Who may see what: platform roles on the operator's host, memberships on a member's host.

An anonymous visitor is sent to the login page; a signed-in account without the right role
gets 403. A suspended collectivité's back office shows its suspension page instead: the
gate is ``tenants.middleware.TenantStatusMiddleware``, for pages and API alike.

portal imports no app: the membership lookup is provided by the tenants app through
settings (PORTAL_MEMBERSHIP_LOOKUP).
"""

from functools import wraps

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import Http404
from django.shortcuts import render
from django.utils.module_loading import import_string
from django_otp.plugins.otp_totp.models import TOTPDevice


def membership_for(user, collectivite):
    """The active membership of ``user`` in ``collectivite``, or None."""
    return import_string(settings.PORTAL_MEMBERSHIP_LOOKUP)(user, collectivite)


def _has_second_factor(user) -> bool:
    # Issue 12: enrolling proves the device in this session; sessions opened through the
    # operator's login pass the code at each sign-in.
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def _login(request):
    return redirect_to_login(request.get_full_path())


def member_required(view=None, *, admin: bool = False, conceal: bool = False):
    """Back-office views of a member's host: an active membership (admin role if asked).

    A signed-in non-member gets 403, or 404 with ``conceal`` (pages about one object, which
    must not even reveal that it exists to another commune's agents)."""

    def decorator(view_func):
        @wraps(view_func)
        def wrapper(request, *args, **kwargs):
            tenant = getattr(request, "tenant", None)
            if tenant is None or tenant.is_operator:
                raise PermissionDenied
            if not request.user.is_authenticated:
                return _login(request)
            membership = membership_for(request.user, tenant)
            if membership is None and conceal:
                raise Http404
            if membership is None or (admin and not membership.is_admin):
                raise PermissionDenied
            if tenant.staff_second_factor_required and not _has_second_factor(request.user):
                return render(
                    request,
                    "identity/second_factor_required.html",
                    {"collectivite": tenant},
                    status=403,
                )
            request.membership = membership
            return view_func(request, *args, **kwargs)

        # Back office: a suspended commune's gate (tenants.middleware) refuses it, and the
        # staff-access policy (identity.staff_access, issue 22) applies.
        wrapper.staff_only = True
        return wrapper

    return decorator(view) if view else decorator


def _platform_role_required(has_role):
    def decorator(view_func):
        @wraps(view_func)
        def wrapper(request, *args, **kwargs):
            if connection.schema_name != "public":
                raise PermissionDenied
            if not request.user.is_authenticated:
                return _login(request)
            if not (request.user.is_active and has_role(request.user)):
                raise PermissionDenied
            return view_func(request, *args, **kwargs)

        # A staff surface: the staff-access policy (second factor) applies (issue 22).
        wrapper.staff_only = True
        return wrapper

    return decorator


platform_admin_required = _platform_role_required(lambda user: user.is_platform_admin)
finance_required = _platform_role_required(lambda user: user.is_finance or user.is_platform_admin)


def staff_landing(*, user, tenant) -> str | None:
    """Where staff land after signing in: agents and admins of the commune whose host this
    is on its back office; platform admins and finance staff on the operator's. None for
    everyone else (citizens go back where they came from, or to the home page)."""
    from django.urls import reverse

    if tenant is None or not user.is_authenticated:
        return None
    if tenant.is_operator:
        if user.is_platform_admin:
            return reverse("operator:dashboard")
        return None
    if membership_for(user, tenant) is not None:
        return reverse("backoffice")
    return None
