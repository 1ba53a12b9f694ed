"""A commune admin's security setting: require a second factor from its staff."""

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render

from portal.permissions import member_required
from tenants.services.access import collectivite_second_factor_require


class CommuneSecurityForm(forms.Form):
    required = forms.BooleanField(
        label="Exiger la double authentification de tous les agents et administrateurs",
        required=False,
    )


@member_required(admin=True)
def commune_security(request):
    collectivite = request.tenant
    form = CommuneSecurityForm(
        request.POST or None, initial={"required": collectivite.staff_second_factor_required}
    )
    if request.method == "POST" and form.is_valid():
        collectivite_second_factor_require(
            collectivite=collectivite,
            required=form.cleaned_data["required"],
            acting_user=request.user,
        )
        messages.success(request, "Le réglage de sécurité est enregistré.")
        return redirect("identity:commune_security")
    return render(request, "identity/commune_security.html", {"form": form})
