from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse

from portal import limits
from portal.accounts.forms import LoginForm, SignupForm
from portal.accounts.services import user_password_reset, user_signup
from portal.links import site_url
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
            login_url=site_url(request, reverse("accounts:login")),
            reset_url=site_url(request, reverse("accounts:password_reset")),
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


class PasswordResetView(auth_views.PasswordResetView):
    """The reset link names this site as configured (PORTAL_SCHEME, PORTAL_PORT), never the
    port of the request's Host header (issue 22)."""

    def form_valid(self, form):
        form.save(
            domain_override=site_url(self.request, "").split("://", 1)[1],
            use_https=settings.PORTAL_SCHEME == "https",
            token_generator=self.token_generator,
            from_email=self.from_email,
            email_template_name=self.email_template_name,
            subject_template_name=self.subject_template_name,
            request=self.request,
            html_email_template_name=self.html_email_template_name,
            extra_email_context=self.extra_email_context,
        )
        # Django's own form_valid would send it again with the request's host: skip it.
        return super(auth_views.PasswordResetView, self).form_valid(form)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Django's page, with the new password set by a service that records it (issue 22)."""

    def form_valid(self, form):
        user_password_reset(form=form)
        # Django's own form_valid would save the form again; only its session clean-up.
        del self.request.session[auth_views.INTERNAL_RESET_SESSION_TOKEN]
        return HttpResponseRedirect(self.get_success_url())
