from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse

from portal import limits
from portal.accounts.forms import LoginForm, SignupForm
from portal.accounts.services import user_password_reset, user_signup
from portal.permissions import staff_landing

SIGNUP_DONE = (
    "Un courriel vient d'être envoyé à cette adresse. Si le compte a été créé, connectez-vous "
    "avec votre adresse et votre mot de passe : il vaut pour toutes les communes du portail."
)


@limits.limit("signup", account=limits.email_of("email"))
def signup(request):
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user_signup(
            email=form.cleaned_data["email"],
            password=form.cleaned_data["password1"],
            first_name=form.cleaned_data["first_name"],
            last_name=form.cleaned_data["last_name"],
            login_url=request.build_absolute_uri(reverse("accounts:login")),
            reset_url=request.build_absolute_uri(reverse("accounts:password_reset")),
        )
        messages.success(request, SIGNUP_DONE)  # the same answer whether it existed or not
        # Home, not the login page: on a member host that page is the operator's single
        # sign-on (issue 12), on another host, where this message would not be shown.
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


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Django's page, with the new password set by a service that records it (issue 22)."""

    def form_valid(self, form):
        user_password_reset(form=form)
        # Django's own form_valid would save the form again; only its session clean-up.
        del self.request.session[auth_views.INTERNAL_RESET_SESSION_TOKEN]
        return HttpResponseRedirect(self.get_success_url())
