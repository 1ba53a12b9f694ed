"""Identity's middlewares: communes' own domains in the operator's CSP, and the session's
second-factor device (the staff-access policy itself is identity.staff_access).

Single sign-on to communes served on their own domain (issue 12).

Signing in on the operator's host posts a form whose redirects end on the commune's host
(operator login -> provider -> commune callback), and browsers hold every step of that
chain to the page's CSP ``form-action``. The portal's own hosts are in the setting; a
commune's own domain is added here, on the operator's pages only. Such domains are few (most
communes live under the base domain), so the list stays short at a thousand members."""

from django.conf import settings
from django.core.cache import cache
from django_otp.middleware import OTPMiddleware
from django_otp.models import Device

from identity.views.common import is_operator_host
from portal import dataversion
from tenants.models import Domain

CACHE_KEY = "identity:own-domain-origins"
CACHE_SECONDS = 300
TOTP_PERSISTENT_PREFIX = "otp_totp.totpdevice/"


def own_domain_origins() -> list[str]:
    """CSP sources of the member domains outside the base domain, e.g. 'https://mairie.fr:*'."""
    origins = cache.get(CACHE_KEY)
    if origins is None:
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


class SecondFactorMiddleware(OTPMiddleware):
    """django-otp's middleware (``request.user.is_verified()``), with the session's TOTP
    device kept in memory under the public schema's data version (TOTP devices raise it,
    identity migration 0002): a verified staff session costs no query per page (issue 22).
    Recovery-code devices are read as django-otp does."""

    def _device_from_persistent_id(self, persistent_id: str):
        persistent_id = self._normalize_persistent_id(persistent_id)
        version = dataversion.read_for_request(public=True)
        if version is None or not persistent_id.startswith(TOTP_PERSISTENT_PREFIX):
            return super()._device_from_persistent_id(persistent_id)
        return dataversion.local_cached(
            ("otp-device", persistent_id),
            version,
            lambda: Device.from_persistent_id(persistent_id),
        )
