"""Sign-in pages, mounted at /comptes/ on every host before portal.accounts' own: the login
and logout paths here take precedence (the names accounts:login/logout still reverse)."""

from django.urls import path, re_path

from identity.views import (
    account,
    commune,
    login,
    second_factor,
    second_factor_check,
    second_factor_settings,
    upstream,
)
from portal import limits

app_name = "identity"
urlpatterns = [
    # Issue 8's limits (per IP and per account) apply to this login as to accounts' own.
    path(
        "connexion/",
        limits.limit("login", account=limits.email_of("username"))(login.PortalLoginView.as_view()),
        name="login",
    ),
    path("deconnexion/", login.logout_view, name="logout"),
    path("deconnexion/fin/", login.logout_done, name="logout_done"),
    path("sso/", login.sso_start, name="sso_start"),
    path("sso/retour/", login.sso_callback, name="sso_callback"),
    path("double-authentification/", second_factor.second_factor, name="second_factor"),
    path("verification/", second_factor_check.second_factor_check, name="second_factor_check"),
    path("liaison/", upstream.upstream_link, name="upstream_link"),
    path("mon-compte/", account.account, name="account"),
    path("mon-compte/adresse/", account.email_change, name="email_change"),
    path("mon-compte/adresse/<str:token>/", account.email_confirm, name="email_confirm"),
    path("mon-compte/mot-de-passe/", account.password_change, name="password_change"),
    path("mon-compte/sessions/fin/", account.sessions_end, name="sessions_end"),
    path("mon-compte/donnees/", account.export_request, name="export_request"),
    path("mon-compte/donnees/<int:pk>/", account.export_download, name="export_download"),
    path("mon-compte/suppression/", account.account_delete, name="account_delete"),
    path(
        "mon-compte/double-authentification/",
        second_factor_settings.second_factor_settings,
        name="second_factor_settings",
    ),
    path(
        "mon-compte/double-authentification/codes/",
        second_factor_settings.recovery_codes_new,
        name="recovery_codes_new",
    ),
    path(
        "mon-compte/double-authentification/desactiver/",
        second_factor_settings.second_factor_remove,
        name="second_factor_remove",
    ),
    path("securite-commune/", commune.commune_security, name="commune_security"),
    re_path(
        r"^(?P<provider>franceconnect|proconnect)/$",
        upstream.upstream_start,
        name="upstream_start",
    ),
    re_path(
        r"^(?P<provider>franceconnect|proconnect)/retour/$",
        upstream.upstream_callback,
        name="upstream_callback",
    ),
]
