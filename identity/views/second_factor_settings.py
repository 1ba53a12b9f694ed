"""The account's second factor, for a signed-in person: enrol (optional for agents and
citizens), new recovery codes, removal where allowed."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from identity.services.second_factor import (
    SecondFactorRefused,
    recovery_codes_renew,
    second_factor_disable,
    totp_enrol_confirm,
    user_has_second_factor,
)
from identity.views.second_factor import CodeForm, code_page
from identity.views.second_factor_check import fresh_authentication_required

# Issue 22: what changes how the account is protected asks its holder to prove it again.
_fresh = fresh_authentication_required("identity:second_factor_settings")


@login_required
def second_factor_settings(request):
    user = request.user
    enrolled = user_has_second_factor(user=user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and not enrolled and form.is_valid():
        try:
            enrolment = totp_enrol_confirm(user=user, code=form.cleaned_data["code"])
        except SecondFactorRefused as refusal:
            form.add_error("code", str(refusal))
        else:
            otp_login(request, enrolment.device)
            return render(
                request,
                "identity/recovery_codes.html",
                {"codes": enrolment.recovery_codes, "next": request.path},
            )
    return code_page(request, "identity/second_factor_settings.html", form, user)


@login_required
@require_POST
@_fresh
def recovery_codes_new(request):
    if not user_has_second_factor(user=request.user):
        return redirect("identity:second_factor_settings")
    codes = recovery_codes_renew(user=request.user)
    return render(
        request,
        "identity/recovery_codes.html",
        {"codes": codes, "next": "/comptes/mon-compte/double-authentification/"},
    )


@login_required
@require_POST
@_fresh
def second_factor_remove(request):
    try:
        second_factor_disable(user=request.user)
    except SecondFactorRefused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, "La double authentification est désactivée.")
    return redirect("identity:second_factor_settings")
