from django import template

from portal.money import euros, rate_label

register = template.Library()


@register.filter(name="euros")
def euros_filter(cents) -> str:
    return "" if cents is None else euros(int(cents))


@register.filter(name="vat_rate")
def vat_rate_filter(rate_bp) -> str:
    return rate_label(int(rate_bp))
