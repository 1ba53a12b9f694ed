"""The verification step of a signed-in session (issue 22). A staff surface sends here a
session that has not passed the second factor; a security-sensitive change (new recovery
codes, disabling the second factor, a new e-mail address) one that has not proved who holds
it for IDENTITY_REAUTH_SECONDS. An account with a second factor gives a code (or enrols
first, when its role requires one it never set up); an account without one, its password."""

import time
from functools import wraps

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django_otp import login as otp_login

from identity.services.second_factor import (
    second_factor_required,
)
from identity.services.sessions import VERIFIED_AT_KEY
from identity.staff_access import verification_url
from identity.views.common import safe_next
from identity.views.second_factor import CodeForm, after_proof, code_page, code_proof
from portal import limits


class PasswordForm(forms.Form):
    password = forms.CharField(
        label="Mot de passe", widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )

    def __init__(self, user, *args, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError("Mot de passe incorrect.")
        return password


def proof_is_fresh(request) -> bool:
    """The session's holder proved who they are less than IDENTITY_REAUTH_SECONDS ago (by
    signing in, a code or the password), with the second factor if the account uses one."""
    proved = request.session.get(VERIFIED_AT_KEY, 0)
    if time.time() - proved > settings.IDENTITY_REAUTH_SECONDS:
        return False
    return request.user.is_verified() or not second_factor_required(user=request.user)


def fresh_authentication_required(page: str):
    """For a POST that changes how the account is protected: a fresh proof
    (``proof_is_fresh``), else the verification step first, then back to ``page`` (a URL
    name) to do it again."""

    def decorator(view_func):
        @wraps(view_func)
        def wrapper(request, *args, **kwargs):
            if not proof_is_fresh(request):
                return redirect(verification_url(reverse(page)))
            return view_func(request, *args, **kwargs)

        return wrapper

    return decorator


def _proved(request, device=None) -> None:
    if device is not None:
        otp_login(request, device)
    request.session[VERIFIED_AT_KEY] = int(time.time())


@login_required
@limits.limit("login", account=limits.user_or_email("username"))
def second_factor_check(request):
    user = request.user
    next_url = safe_next(request, request.GET.get("next"))
    if not second_factor_required(user=user):
        return _password_check(request, user, next_url)
    form = CodeForm(request.POST or None)
    proof = code_proof(request, form, user)
    if proof is None:
        template = "identity/second_factor_check.html"
        return code_page(request, template, form, user, second_factor=True)
    _proved(request, proof.device)
    return after_proof(request, proof, next_url)


def _password_check(request, user, next_url: str):
    """An account without a second factor proves who holds it with its password."""
    form = PasswordForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        _proved(request)
        return redirect(next_url)
    return render(request, "identity/second_factor_check.html", {"form": form})
