"""The operator's OpenID Connect provider (django-oauth-toolkit), at /o/ on its host only.
Client management pages are left out: clients are registered per member domain."""

from django.urls import path
from oauth2_provider import urls as dot_urls
from oauth2_provider import views as dot_views

from identity.views.login import ProviderLogoutView

app_name = "oauth2_provider"
urlpatterns = [
    path("logout/", ProviderLogoutView.as_view(), name="rp-initiated-logout"),
    path("authorize/", dot_views.AuthorizationView.as_view(), name="authorize"),
    path("token/", dot_views.TokenView.as_view(), name="token"),
    path("revoke_token/", dot_views.RevokeTokenView.as_view(), name="revoke-token"),
    *[p for p in dot_urls.oidc_urlpatterns if p.name != "rp-initiated-logout"],
]
