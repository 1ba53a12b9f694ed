"""portal.widgets.QuickSelect writes the markup Django's select templates write (options,
optgroups, the selected one, escaping, the bound field's id and aria attributes)."""

import re

from django import forms

from portal.widgets import QuickSelect

CHOICES = [("", "Tous"), ("x", "Ex <b> & « é »"), (1, "Un"), ("Groupe", [("g", "Dans")])]


class Pair(forms.Form):
    django = forms.ChoiceField(choices=CHOICES, required=True)
    quick = forms.ChoiceField(choices=CHOICES, required=True, widget=QuickSelect)


def markup(form, name) -> str:
    html = re.sub(r"\s*\n\s*", "", str(form[name]))  # Django's templates add line breaks
    return html.replace(f'"{name}"', '"NAME"').replace(f"id_{name}", "id_NAME")


def test_same_markup_as_django_unbound_bound_and_invalid():
    for data in (None, {"django": "x", "quick": "x"}, {"django": "1", "quick": "1"}, {}):
        form = Pair(data)
        if data is not None:
            form.is_valid()
        assert markup(form, "quick") == markup(form, "django"), data
    invalid = Pair({})
    invalid.is_valid()
    assert 'aria-invalid="true"' in markup(invalid, "quick")
    assert "Ex &lt;b&gt; &amp;" in markup(invalid, "quick")
    assert '<optgroup label="Groupe">' in markup(invalid, "quick")
