"""The second step of signing in: a code from the TOTP application or a recovery code; an
account that must have a second factor and has none enrols here first."""

from django import forms
from django.shortcuts import redirect, render

from identity.services.second_factor import (
    SecondFactorRefused,
    second_factor_verify,
    totp_device_pending,
    totp_enrol_confirm,
    totp_qr_svg,
    user_has_second_factor,
)
from identity.views.common import PENDING_KEY, complete_sign_in


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Code de vérification",
        help_text="Le code à 6 chiffres de votre application, ou un code de secours.",
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


def second_factor(request):
    from portal.accounts.models import User

    pending = request.session.get(PENDING_KEY)
    if not pending:
        return redirect("accounts:login")
    user = User.objects.get(pk=pending["user"])
    enrolled = user_has_second_factor(user=user)
    form = CodeForm(request.POST or None)
    context = {"form": form, "enrolled": enrolled}
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["code"]
        try:
            if enrolled:
                device = second_factor_verify(user=user, code=code)
                recovery_codes = None
            else:
                enrolment = totp_enrol_confirm(user=user, code=code)
                device, recovery_codes = enrolment.device, enrolment.recovery_codes
        except SecondFactorRefused as refusal:
            form.add_error("code", str(refusal))
        else:
            del request.session[PENDING_KEY]
            response = complete_sign_in(
                request,
                user,
                method=pending["method"],
                next_url=pending["next"],
                extra=pending["extra"],
                device=device,
            )
            if recovery_codes is None:
                return response
            return render(
                request,
                "identity/recovery_codes.html",
                {"codes": recovery_codes, "next": response["Location"]},
            )
    if not enrolled:
        device = totp_device_pending(user=user)
        context.update(qr_svg=totp_qr_svg(device=device), secret=_base32(device))
    return render(request, "identity/second_factor.html", context, status=200)


def _base32(device) -> str:
    from base64 import b32encode

    return b32encode(device.bin_key).decode()
