"""Single sign-on to communes served on their own domain (issue 12).

Signing in on the operator's host posts a form whose redirects end on the commune's host
(operator login -> provider -> commune callback), and browsers hold every step of that
chain to the page's CSP ``form-action``. The portal's own hosts are in the setting; a
commune's own domain is added here, on the operator's pages only. Such domains are few (most
communes live under the base domain), so the list stays short at a thousand members."""

from django.conf import settings
from django.core.cache import cache

from identity.views.common import is_operator_host

CACHE_KEY = "identity:own-domain-origins"
CACHE_SECONDS = 300


def own_domain_origins() -> list[str]:
    """CSP sources of the member domains outside the base domain, e.g. 'https://mairie.fr:*'."""
    origins = cache.get(CACHE_KEY)
    if origins is None:
        from tenants.models import Domain

        base = settings.PORTAL_BASE_DOMAIN
        domains = (
            Domain.objects.exclude(domain=base)
            .exclude(domain__endswith=f".{base}")
            .values_list("domain", flat=True)
            .order_by("domain")
        )
        origins = [f"{settings.PORTAL_SCHEME}://{domain}:*" for domain in domains]
        cache.set(CACHE_KEY, origins, CACHE_SECONDS)
    return origins


class OwnDomainFormActionMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if is_operator_host(request):
            origins = own_domain_origins()
            if origins:
                update = dict(getattr(response, "_csp_update", None) or {})
                update["form-action"] = [*update.get("form-action", []), *origins]
                response._csp_update = update
        return response
