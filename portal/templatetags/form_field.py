"""Filters for ``templates/components/field.html``: a field's widget linked to its hint and
errors (``aria-describedby``), and whether it is a list of choices (rendered in a fieldset)."""

from django import forms, template

register = template.Library()


@register.filter
def is_choice_list(bound_field) -> bool:
    return isinstance(bound_field.field.widget, forms.RadioSelect | forms.CheckboxSelectMultiple)


@register.filter
def described(bound_field):
    """The widget with ``aria-describedby`` naming its hint and errors, and
    ``aria-invalid`` when it has errors."""
    ids = []
    if bound_field.help_text:
        ids.append(f"{bound_field.auto_id}-hint")
    if bound_field.errors:
        ids.append(f"{bound_field.auto_id}-error")
    attrs = {"aria-describedby": " ".join(ids)} if ids else {}
    if bound_field.errors:
        attrs["aria-invalid"] = "true"
    return bound_field.as_widget(attrs=attrs)
