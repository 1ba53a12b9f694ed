"""The citizen's filing page (sve.views.citizen.form_fill): its two forms, the request's
own fields and the applicant's identity, as first shown, as redrawn by a row button, or
bound to what was posted. Input only: the writes are sve.services.filing's."""

from dataclasses import dataclass

from django import forms

from sve.fields import (
    build_form_class,
    cleaned_to_data,
    data_to_initial,
    group_counts,
    group_rows_edit,
    raw_values,
)
from sve.forms import IdentityForm
from sve.models import Document, FormVersion, Request
from sve.services.filing import IDENTITY_FIELDS

# The row buttons of repeatable groups ("ajouter:<group>", "supprimer:<group>:<row>").
ROW_BUTTONS = ("ajouter:", "supprimer:")


def row_button(action: str) -> bool:
    return action.startswith(ROW_BUTTONS)


@dataclass
class FillForms:
    data_form: forms.Form
    identity: IdentityForm
    # A row button redraws the page: a file chosen in it is not kept (the page says so).
    files_dropped: bool = False

    def is_valid(self) -> bool:
        return self.data_form.is_valid() and self.identity.is_valid()

    def filing_input(self, version: FormVersion) -> dict:
        """What the filing services take from valid forms: identity, data and files."""
        data, files = cleaned_to_data(version.fields, self.data_form.cleaned_data)
        return {"identity": self.identity.cleaned_data, "data": data, "files": files}


def draft_uploads(draft: Request | None) -> dict[str, str]:
    """The files a draft already holds, by field name: filename."""
    if draft is None:
        return {}
    return {d.field_name: d.filename for d in draft.documents.filter(kind=Document.Kind.UPLOAD)}


def fill_forms_initial(version: FormVersion, *, draft: Request | None, user) -> FillForms:
    """The page first shown: a draft's content, or a signed-in citizen's name and e-mail."""
    identity = {}
    if draft:
        identity = {name: getattr(draft, name) for name in IDENTITY_FIELDS}
    elif user.is_authenticated:
        identity = {"last_name": user.last_name, "first_name": user.first_name, "email": user.email}
    initial = data_to_initial(version.fields, draft.data if draft else {})
    rows = group_counts(version.fields, initial)
    return FillForms(
        data_form=build_form_class(version.fields, rows=rows)(prefix="f", initial=initial),
        identity=IdentityForm(prefix="id", initial=identity),
    )


def fill_forms_redrawn(version: FormVersion, post, files, *, action: str) -> FillForms:
    """A row button of a repeatable group (no JavaScript needed): the same page again, one
    row more or less, with what was typed; nothing is validated or saved."""
    rows = group_counts(version.fields, post, prefix="f-")
    typed = build_form_class(version.fields, draft=True, rows=rows)(post, prefix="f")
    rows, values = group_rows_edit(
        version.fields, rows=rows, values=raw_values(typed), action=action
    )
    return FillForms(
        data_form=build_form_class(version.fields, rows=rows)(prefix="f", initial=values),
        identity=IdentityForm(prefix="id", initial=raw_values(IdentityForm(post, prefix="id"))),
        files_dropped=any(f.name for f in files.values()),
    )


def fill_forms_posted(
    version: FormVersion, post, files, *, saving_draft: bool, existing: dict
) -> FillForms:
    """The forms bound to what was posted: a draft may be incomplete, and a file the draft
    already holds need not be chosen again."""
    rows = group_counts(version.fields, post, prefix="f-")
    data_form = build_form_class(version.fields, draft=saving_draft, rows=rows)(
        post, files, prefix="f"
    )
    identity = IdentityForm(post, prefix="id")
    for name in existing:
        if name in data_form.fields:
            data_form.fields[name].required = False
    if saving_draft:
        for field in identity.fields.values():
            field.required = False
    return FillForms(data_form=data_form, identity=identity)
