"""The second step of signing in: a code from the TOTP application or a recovery code; an
account that must have a second factor and has none enrols here first."""

from django import forms
from django.shortcuts import redirect, render

from identity.services.second_factor import (
    Enrolment,
    SecondFactorRefused,
    second_factor_prove,
    totp_enrolment_shown,
    user_has_second_factor,
)
from identity.views.common import PENDING_KEY, complete_sign_in
from portal.accounts.models import User


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Code de vérification",
        help_text="Le code à 6 chiffres de votre application, ou un code de secours.",
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


def code_proof(request, form: CodeForm, user) -> Enrolment | None:
    """The device the posted code proves (``second_factor_prove``), or None: nothing posted,
    or the refusal stands beside the code field."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        return second_factor_prove(user=user, code=form.cleaned_data["code"])
    except SecondFactorRefused as refusal:
        form.add_error("code", str(refusal))
        return None


def code_page(request, template: str, form: CodeForm, user, **context):
    """The page asking for a code; to an account with no second factor yet, what to scan."""
    enrolled = user_has_second_factor(user=user)
    context.update(form=form, enrolled=enrolled)
    if not enrolled:
        context.update(totp_enrolment_shown(user=user))
    return render(request, template, context)


def after_proof(request, proof: Enrolment, next_url: str):
    """On to ``next_url``; first, new recovery codes to note, if the proof issued any."""
    if not proof.recovery_codes:
        return redirect(next_url)
    context = {"codes": proof.recovery_codes, "next": next_url}
    return render(request, "identity/recovery_codes.html", context)


def second_factor(request):
    pending = request.session.get(PENDING_KEY)
    if not pending:
        return redirect("accounts:login")
    user = User.objects.get(pk=pending["user"])
    form = CodeForm(request.POST or None)
    proof = code_proof(request, form, user)
    if proof is None:
        return code_page(request, "identity/second_factor.html", form, user)
    del request.session[PENDING_KEY]
    signed_in = complete_sign_in(
        request,
        user,
        method=pending["method"],
        next_url=pending["next"],
        extra=pending["extra"],
        device=proof.device,
    )
    return after_proof(request, proof, signed_in["Location"])
