from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect, render

from portal.accounts.forms import LoginForm, SignupForm
from portal.accounts.services import user_register
from portal.permissions import staff_landing


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


class LoginView(auth_views.LoginView):
    """Sign-in on any host; without a ``next`` page, staff land on their back office."""

    template_name = "accounts/login.html"
    authentication_form = LoginForm

    def get_default_redirect_url(self):
        landing = staff_landing(
            user=self.request.user, tenant=getattr(self.request, "tenant", None)
        )
        return landing or super().get_default_redirect_url()
