from django import template

register = template.Library()


@register.filter
def lookup(mapping, key):
    """``places_by_id|lookup:slot.place_id``: display only, no logic."""
    return mapping.get(key) if mapping else None


@register.filter
def phone(number: str) -> str:
    """A stored E.164 number as people write it ("+33612345678" -> "06 12 34 56 78")."""
    from portal.sms.phones import phone_display

    return phone_display(number) if number else ""
