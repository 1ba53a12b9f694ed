"""URLs of the operator's host (public schema)."""

from csp.decorators import csp_exempt
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from portal.audit.views import operator_journal

urlpatterns = [
    path("", include("tenants.urls_operator_home")),
    # Issue 26: anyone checks an act the portal issued on this host.
    path("verifier/", include("portal.sealed.urls")),
    path("comptes/", include("identity.urls")),
    path("comptes/", include("portal.accounts.urls")),
    path("comptes/", include("portal.sms.urls")),  # issue 28: refuse SMS
    path("sms/evenements/", include("portal.sms.urls_events")),  # issue 28: provider
    path("o/", include("identity.urls_provider")),
    path("operateur/courriels/", include("portal.outbox.urls")),
    path("operateur/assistance/", include("support.urls_desk")),
    path("operateur/journal/", operator_journal, name="audit_journal"),  # issue 22
    path("operateur/sms/", include("portal.sms.urls_operator")),  # issue 28
    path("operateur/", include("tenants.urls_operator")),
    path("conventions/", include("conventions.urls")),
    path("facturation/", include("billing.urls")),
    # Issue 22: the portal's own login (second factor included), not the admin's.
    path("administration-technique/login/", include("identity.urls_technical_admin")),
    path("administration-technique/", admin.site.urls),
    path("api/conventions/", include("conventions.api_urls")),
    path("api/facturation/", include("billing.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # Swagger UI is drf-spectacular's page (a CDN script and an inline one): outside the
    # portal's Content-Security-Policy, like any third-party tool page.
    path(
        "api/docs/",
        csp_exempt()(SpectacularSwaggerView.as_view(url_name="api-schema")),
        name="api-docs",
    ),
]
