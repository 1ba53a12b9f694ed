from django.conf import settings


def site(request):
    """What every page's layout needs: whose site this is, and the operator's name."""
    tenant = getattr(request, "tenant", None)
    return {
        "site_collectivite": tenant,
        "site_is_operator": tenant is None or tenant.is_operator,
        "operator_name": settings.OPERATOR_NAME,
        "operator_url": f"{settings.PORTAL_SCHEME}://{settings.PORTAL_BASE_DOMAIN}"
        + (f":{settings.PORTAL_PORT}" if settings.PORTAL_PORT else "")
        + "/",
    }
