"""Login, logout, sign-up and password reset: the same pages, in French, on every host."""

from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from portal import limits
from portal.accounts import views

# Issue 8: per IP and per account (the e-mail typed); the per-account lockout after failed
# logins is django-axes' (portal.limits).
_login_limit = limits.limit("login", account=limits.email_of("username"))
_reset_limit = limits.limit("password-reset", account=limits.email_of("email"))

app_name = "accounts"
urlpatterns = [
    path(
        "connexion/",
        _login_limit(views.LoginView.as_view()),
        name="login",
    ),
    path("deconnexion/", auth_views.LogoutView.as_view(), name="logout"),
    path("inscription/", views.signup, name="signup"),
    path(
        "mot-de-passe/oubli/",
        _reset_limit(
            views.PasswordResetView.as_view(
                template_name="accounts/password_reset_form.html",
                email_template_name="accounts/password_reset_email.txt",
                subject_template_name="accounts/password_reset_subject.txt",
                success_url=reverse_lazy("accounts:password_reset_done"),
            )
        ),
        name="password_reset",
    ),
    path(
        "mot-de-passe/oubli/envoye/",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "mot-de-passe/nouveau/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(
            template_name="accounts/password_reset_confirm.html",
            success_url=reverse_lazy("accounts:password_reset_complete"),
        ),
        name="password_reset_confirm",
    ),
    path(
        "mot-de-passe/nouveau/termine/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="accounts/password_reset_complete.html"
        ),
        name="password_reset_complete",
    ),
]
