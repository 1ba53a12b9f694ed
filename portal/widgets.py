"""Form widgets that render in Python what Django renders through templates.

Django renders a <select> with one template include per option (and one more for each
option's attributes): about 0.1 ms per option, several milliseconds for a filter bar of
agents, forms and statuses shown on every load of a list page (issue 11 §4). QuickSelect
writes the same markup as django/forms/widgets/select.html with format_html, from the
same context (so bound fields' ids, aria attributes and the selected option are kept).
"""

from django import forms
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe


def _attrs(attrs: dict) -> SafeString:
    """As django/forms/widgets/attrs.html: True gives a bare name, False is left out."""
    parts = []
    for name, value in attrs.items():
        if value is False or value is None:
            continue
        parts.append(
            format_html(" {}", name) if value is True else format_html(' {}="{}"', name, value)
        )
    return mark_safe("".join(parts))


class QuickSelect(forms.Select):
    """A single-choice <select>, its markup built in Python (see the module's docstring)."""

    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        groups = []
        for group_name, options, _index in widget["optgroups"]:
            rendered = format_html_join(
                "",
                '<option value="{}"{}>{}</option>',
                ((str(o["value"]), _attrs(o["attrs"]), o["label"]) for o in options),
            )
            groups.append(
                format_html('<optgroup label="{}">{}</optgroup>', group_name, rendered)
                if group_name
                else rendered
            )
        return format_html(
            '<select name="{}"{}>{}</select>',
            widget["name"],
            _attrs(widget["attrs"]),
            mark_safe("".join(groups)),
        )
