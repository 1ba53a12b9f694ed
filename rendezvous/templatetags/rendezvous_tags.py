from django import template

register = template.Library()


@register.filter
def lookup(mapping, key):
    """``places_by_id|lookup:slot.place_id``: display only, no logic."""
    return mapping.get(key) if mapping else None
