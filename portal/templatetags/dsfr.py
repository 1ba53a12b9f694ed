"""Render Django form fields with the DSFR's classes: ``{% load dsfr %}{{ field|dsfr }}``."""

from django import forms, template

register = template.Library()

WIDGET_CLASSES = (
    ((forms.CheckboxInput, forms.RadioSelect, forms.CheckboxSelectMultiple), ""),
    ((forms.Select, forms.SelectMultiple), "fr-select"),
    ((forms.FileInput,), "fr-upload"),
)


@register.filter
def dsfr(bound_field):
    """The field's widget with the matching DSFR class (fr-input, fr-select, fr-upload)."""
    widget = bound_field.field.widget
    css = next((css for types, css in WIDGET_CLASSES if isinstance(widget, types)), "fr-input")
    if bound_field.errors and css == "fr-input":
        css += " fr-input--error"
    attrs = {"class": f"{widget.attrs.get('class', '')} {css}".strip()} if css else {}
    if bound_field.errors:
        attrs["aria-describedby"] = f"{bound_field.auto_id}-error"
    return bound_field.as_widget(attrs=attrs)
