from functools import cache

from django.conf import settings
from django.core.signals import setting_changed
from django.templatetags.static import static

from portal import sections
from portal.links import reverse_fixed

# The layout's links (templates/base.html), by the name the template uses. None takes an
# argument: each is reversed once per process (portal.links) rather than on every page
# (issue 11 §4: ~9 reverses per page were a tenth of the layout's cost).
LAYOUT_URLS = {
    "login": "accounts:login",
    "signup": "accounts:signup",
    "logout": "accounts:logout",
    "account": "identity:account",
    "password_reset": "accounts:password_reset",
    "logo": "commune:logo",
    "theme_css": "commune:theme_css",
    "legal_mentions": "commune:legal_mentions",
    "legal_privacy": "commune:legal_privacy",
    "accessibility": "commune:accessibility",
}


class LayoutUrls:
    """``{{ site_urls.login }}``: a LAYOUT_URLS entry, for the host's URL configuration."""

    def __getitem__(self, key: str) -> str:
        return reverse_fixed(LAYOUT_URLS[key])


LAYOUT_LINKS = LayoutUrls()


@cache
def _layout_statics() -> dict[str, str]:
    """The layout's static files (their URL depends on settings only)."""
    logo = getattr(settings, "OPERATOR_LOGO", "") or "tenants/operator-logo.svg"
    return {
        "css": static("portal/portal.css"),
        "js": static("portal/portal.js"),
        "favicon": static("portal/favicon.svg"),
        # Seed 000: the operator's logo on the partner's pages (an absolute URL or a static).
        "operator_logo": logo if logo.startswith(("http://", "https://", "/")) else static(logo),
    }


def _forget_layout(**kwargs) -> None:
    _layout_statics.cache_clear()


setting_changed.connect(_forget_layout)


def site(request):
    """What every page's layout needs: whose site this is, the operator's name, and the
    layout's links and static files (computed once per process, see LAYOUT_URLS)."""
    tenant = getattr(request, "tenant", None)
    is_operator = tenant is None or tenant.is_operator
    return {
        "site_collectivite": tenant,
        "site_is_operator": is_operator,
        "site_name": settings.OPERATOR_NAME if is_operator else tenant.name,
        "site_urls": LAYOUT_LINKS,
        # Called by the layout only for a signed-in person on a commune's host.
        "site_account_links": (lambda: [])
        if is_operator
        else (lambda: sections.account_links(request)),
        "site_static": _layout_statics(),
        "operator_name": settings.OPERATOR_NAME,
        "operator_url": f"{settings.PORTAL_SCHEME}://{settings.PORTAL_BASE_DOMAIN}"
        + (f":{settings.PORTAL_PORT}" if settings.PORTAL_PORT else "")
        + "/",
    }
