"""Helpers shared by the identity views: where to go after signing in, and signing in."""

from django.contrib.auth import login
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django_otp import login as otp_login

from identity.services.second_factor import second_factor_required
from identity.services.sessions import METHOD_KEY

PENDING_KEY = "identity_pending_second_factor"
NEXT_KEY = "identity_next"
BACKEND = "portal.accounts.backends.AccountBackend"


def is_operator_host(request) -> bool:
    tenant = getattr(request, "tenant", None)
    return tenant is None or tenant.schema_name == "public"


def safe_next(request, value: str | None, default: str = "/") -> str:
    """A path on this host only (``next`` parameters never send people elsewhere)."""
    if value and url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return value
    return default


def refuse(request, message: str, *, title: str = "Connexion refusée", status: int = 400):
    return render(
        request, "identity/refused.html", {"title": title, "message": message}, status=status
    )


def sign_in(request, user, *, method: str, next_url: str, extra: dict | None = None):
    """Open the session, or first ask for the second factor when the account needs one:
    no session exists before both factors are checked."""
    if second_factor_required(user=user):
        request.session[PENDING_KEY] = {
            "user": user.pk,
            "method": method,
            "next": next_url,
            "extra": extra or {},
        }
        return redirect("identity:second_factor")
    return complete_sign_in(request, user, method=method, next_url=next_url, extra=extra)


def complete_sign_in(
    request, user, *, method: str, next_url: str, extra: dict | None = None, device=None
):
    request.session[METHOD_KEY] = method
    login(request, user, backend=BACKEND)
    if device is not None:
        otp_login(request, device)
    for key, value in (extra or {}).items():
        request.session[key] = value
    return redirect(next_url)
