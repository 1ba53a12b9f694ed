"""The one gate for a member's suspension and archiving, for pages and API alike (issue 8).

- Archived (offboarding): every request to its hosts answers 410, the "service closed"
  page, or a JSON body under /api/; its schema is kept.
- Suspended (seed 000 art. 13: the Département may suspend the partner's access): staff
  access stops and citizens keep the public side. Staff access is any back-office page
  (views under ``portal.permissions.member_required``, marked ``staff_only``) or any API
  view, called by one of the commune's active members: 403, the suspension page or a JSON
  body. The views themselves do not repeat the check.

tests/tenants/test_access_gate.py walks the URL resolver so that no route escapes.
"""

from django.db import connection
from django.db.models.expressions import RawSQL
from django.http import JsonResponse
from django.shortcuts import render
from django_tenants.middleware.main import TenantMainMiddleware
from rest_framework.views import APIView

from portal import dataversion
from tenants.models import Collectivite, Membership

SUSPENDED = "L'accès de la commune au portail est suspendu par l'opérateur."
CLOSED = "Ce service est fermé : la commune n'est plus raccordée au portail."


def _is_api(request, view_func=None) -> bool:
    view_class = getattr(view_func, "cls", None)
    if view_class is not None and issubclass(view_class, APIView):
        return True
    return request.path.startswith("/api/")


def _is_staff_request(request, view_func) -> bool:
    """A back-office page or an API view, called by one of the commune's active members
    (others get what the view gives them: the login page, 403 or 404)."""
    if not (getattr(view_func, "staff_only", False) or _is_api(request, view_func)):
        return False
    user = request.user
    return (
        user.is_authenticated
        and Membership.objects.filter(
            user=user, collectivite=request.tenant, is_active=True
        ).exists()
    )


class TenantStatusMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        tenant = getattr(request, "tenant", None)
        if (
            tenant is not None
            and tenant.status == Collectivite.Status.ARCHIVED
            and not request.path.startswith("/static/")
        ):
            if _is_api(request):
                return JsonResponse({"detail": CLOSED, "code": "archived"}, status=410)
            return render(request, "tenants/closed.html", {"collectivite": tenant}, status=410)
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        tenant = getattr(request, "tenant", None)
        if tenant is None or tenant.status != Collectivite.Status.SUSPENDED:
            return None
        if not _is_staff_request(request, view_func):
            return None
        if _is_api(request, view_func):
            detail = SUSPENDED
            if tenant.suspension_reason:
                detail += f" Motif : {tenant.suspension_reason}"
            return JsonResponse({"detail": detail, "code": "suspended"}, status=403)
        return render(request, "tenants/suspended.html", {"collectivite": tenant}, status=403)


class HostMiddleware(TenantMainMiddleware):
    """django-tenants' host lookup, which also reads, in the same query, the data versions
    of the member's schema and of the public schema (portal/dataversion.py, about 20 µs):
    the signed-in account and its membership are then served from memory, and pages kept
    under a version from the cache, without a query of their own. A write made by the
    request itself forgets what was read (the request then reads versions afresh, and sees
    its own write), and so does the end of the request (the tenant stays the connection's
    until the next one: code run meanwhile, a test's, must read versions afresh)."""

    def __call__(self, request):
        def forget() -> None:
            tenant = getattr(request, "tenant", None)
            if tenant is not None:
                tenant.data_version = tenant.public_version = None

        def forget_on_write(execute, sql, params, many, context):
            if sql.lstrip()[:6].upper() not in ("SELECT", "SET SE"):
                forget()
            return execute(sql, params, many, context)

        with connection.execute_wrapper(forget_on_write):
            try:
                return super().__call__(request)
            finally:
                forget()

    def get_tenant(self, domain_model, hostname):
        domain = (
            domain_model.objects.select_related("tenant")
            .annotate(
                public_version=RawSQL(dataversion.version_sql("'public'"), ()),
                data_version=RawSQL(
                    dataversion.version_sql("tenants_collectivite.schema_name"), ()
                ),
            )
            .get(domain=hostname)
        )
        tenant = domain.tenant
        tenant.public_version = domain.public_version
        tenant.data_version = domain.data_version
        return tenant
