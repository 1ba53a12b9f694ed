"""Sign-in pages, mounted at /comptes/ on every host before portal.accounts' own: the login
and logout paths here take precedence (the names accounts:login/logout still reverse)."""

from django.urls import path, re_path

from identity.views import login, second_factor, upstream

app_name = "identity"
urlpatterns = [
    path("connexion/", login.PortalLoginView.as_view(), name="login"),
    path("deconnexion/", login.logout_view, name="logout"),
    path("deconnexion/fin/", login.logout_done, name="logout_done"),
    path("sso/", login.sso_start, name="sso_start"),
    path("sso/retour/", login.sso_callback, name="sso_callback"),
    path("double-authentification/", second_factor.second_factor, name="second_factor"),
    path("liaison/", upstream.upstream_link, name="upstream_link"),
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
