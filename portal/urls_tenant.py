"""URLs of a member collectivité's host (its own schema)."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from portal.audit.views import commune_journal

urlpatterns = [
    path("", include("tenants.urls_home")),
    # Issue 26: anyone checks an act the portal issued on this host.
    path("verifier/", include("portal.sealed.urls")),
    path("comptes/", include("identity.urls")),
    path("comptes/", include("portal.accounts.urls")),
    path("comptes/", include("portal.sms.urls")),  # issue 28: refuse SMS
    path("gestion/assistance/", include("support.urls_member")),
    path("gestion/journal/", commune_journal, name="audit_journal"),  # issue 22
    path("gestion/sms/", include("portal.sms.urls_admin")),  # issue 28
    path("", include("tenants.urls")),
    path("gestion/conventions/", include("conventions.urls_member")),
    path("gestion/factures/", include("billing.urls_member")),
    path("demarches/", include("sve.urls")),
    path("rendez-vous/", include("rendezvous.urls")),
    path("api/rendez-vous/", include("rendezvous.api_urls")),
    path("api/sve/", include("sve.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
]

# Issue 8: under /api/, a 404 is a JSON body as the schema documents.
handler404 = "portal.views.page_not_found"
