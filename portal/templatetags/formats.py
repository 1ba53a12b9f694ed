"""``{{ value|french_date }}`` and ``{{ size|file_size }}``: portal.formats in templates."""

from django import template

from portal import formats

register = template.Library()


@register.filter
def french_date(value) -> str:
    return formats.french_date(value)


@register.filter
def file_size(value) -> str:
    return formats.file_size(int(value or 0))
