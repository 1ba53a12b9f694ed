"""The look of every page: the operator's partner logo (seed 000 requires it on the
partner's pages) and the commune's colour."""

from django import template
from django.conf import settings
from django.templatetags.static import static

register = template.Library()


@register.simple_tag
def operator_logo_url() -> str:
    logo = getattr(settings, "OPERATOR_LOGO", "") or "tenants/operator-logo.svg"
    return logo if logo.startswith(("http://", "https://", "/")) else static(logo)
