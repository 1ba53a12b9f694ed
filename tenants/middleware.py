from django.shortcuts import render

from tenants.models import Collectivite


class TenantStatusMiddleware:
    """An archived collectivité's hosts answer every request with the "service closed" page;
    its schema is kept (offboarding)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        tenant = getattr(request, "tenant", None)
        if (
            tenant is not None
            and tenant.status == Collectivite.Status.ARCHIVED
            and not request.path.startswith("/static/")
        ):
            return render(request, "tenants/closed.html", {"collectivite": tenant}, status=410)
        return self.get_response(request)
