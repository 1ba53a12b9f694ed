from django.contrib import messages
from django.contrib.auth import login
from django.shortcuts import redirect, render

from portal.accounts.forms import SignupForm
from portal.accounts.services import user_register


def signup(request):
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = user_register(
            email=form.cleaned_data["email"],
            password=form.cleaned_data["password1"],
            first_name=form.cleaned_data["first_name"],
            last_name=form.cleaned_data["last_name"],
        )
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(
            request, "Votre compte est créé. Il vaut pour toutes les communes du portail."
        )
        return redirect("home")
    return render(request, "accounts/signup.html", {"form": form})
