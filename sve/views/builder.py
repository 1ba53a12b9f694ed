"""The commune admin's form catalogue: seed 002 templates in one click, a form builder
(formset of typed fields) with a preview, versions published on save."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from sve import services
from sve.builder import (
    builder_blank_rows,
    builder_forms,
    builder_row_new,
    builder_rows_edit,
    builder_rows_from_specs,
    builder_rows_read,
    builder_specs,
)
from sve.catalogue import TEMPLATES
from sve.fields import build_form_class, form_layout
from sve.forms import FormSettingsForm
from sve.models import Form
from sve.services import SveError
from sve.views.common import agent_required, error_messages


@agent_required(admin=True)
def forms_list(request):
    forms = list(Form.objects.select_related("current_version").order_by("slug"))
    enabled_codes = {f.template_code for f in forms if f.is_enabled}
    return render(
        request,
        "sve/forms_list.html",
        {
            "forms": forms,
            "templates": [(code, t, code in enabled_codes) for code, t in TEMPLATES.items()],
        },
    )


@agent_required(admin=True)
@require_POST
def template_enable(request, code):
    try:
        form = services.form_template_enable(code=code, acting_user=request.user)
        messages.success(request, f"« {form} » est en ligne.")
    except SveError as exc:
        messages.error(request, " ".join(error_messages(exc)))
    return redirect("sve:forms")


@agent_required(admin=True)
@require_POST
def form_toggle(request, slug):
    form = get_object_or_404(Form.objects.select_related("current_version"), slug=slug)
    try:
        services.form_enable(form=form, acting_user=request.user, enabled=not form.is_enabled)
    except SveError as exc:
        messages.error(request, " ".join(error_messages(exc)))
    else:
        messages.success(
            request,
            "Formulaire mis en ligne." if form.is_enabled else "Formulaire retiré du catalogue.",
        )
    return redirect("sve:forms")


def _builder_page(request, *, form, version, settings_form, rows, builder_rows=None, errors=()):
    """The builder with its preview beside it (the citizen's own field rendering); rows
    without ``builder_rows`` (checked forms) are shown as typed, unchecked."""
    builder_rows = builder_rows or builder_forms(rows, bound=False)
    return render(
        request,
        "sve/form_edit.html",
        {
            "form_obj": form,
            "version": version,
            "settings_form": settings_form,
            "rows": builder_rows,
            "blank_row": builder_blank_rows(),
            "errors": errors,
            **_preview_context(rows, title=settings_form["title"].value()),
        },
    )


def _preview_context(rows: list[dict], *, title) -> dict:
    """The citizen's form for the rows that are valid (checked on a copy: the page may show
    the rows as typed, without errors)."""
    rows = builder_forms(rows, bound=True)
    specs = builder_specs(rows, partial=True)
    preview = build_form_class(specs)(prefix="apercu")
    return {
        "preview_title": title,
        "preview_layout": form_layout(preview, specs),
        "preview_form": preview,
        "preview_partial": len(specs) < sum(not row.is_blank() for row in rows),
    }


def _builder_start(version) -> dict:
    """The builder first shown: the current version, or a new form's defaults."""
    initial = (
        {name: getattr(version, name) for name in FormSettingsForm.base_fields}
        if version
        else services.form_new_defaults()
    )
    return {
        "settings_form": FormSettingsForm(prefix="s", initial=initial),
        "rows": builder_rows_from_specs(version.fields) if version else [builder_row_new()],
    }


def _published(request, *, form, version, settings_form, builder_rows, publishing: bool):
    """The builder's content checked and, when asked ("publier") and valid, published and
    put online: (the form, []), or (None, the errors to show)."""
    try:
        specs = builder_specs(builder_rows, previous=version.fields if version else [])
        if settings_form.is_valid() and publishing:
            values = {**settings_form.cleaned_data, "fields": specs}
            return services.form_publish(form=form, acting_user=request.user, **values), []
    except (SveError, ValidationError) as exc:
        return None, error_messages(exc)
    return None, []


def _settings_as_typed(post) -> FormSettingsForm:
    """The settings as typed, unchecked (a row button redraws the page)."""
    typed = {name: post.get(f"s-{name}") for name in FormSettingsForm.base_fields}
    return FormSettingsForm(prefix="s", initial=typed)


@agent_required(admin=True)
def form_edit(request, slug=None):
    form = (
        get_object_or_404(Form.objects.select_related("current_version"), slug=slug)
        if slug
        else None
    )
    page = {"form": form, "version": form.current_version if form else None}
    if request.method != "POST":
        return _builder_page(request, **page, **_builder_start(page["version"]))
    rows = builder_rows_read(request.POST)
    action = request.POST.get("action", "")
    edited = builder_rows_edit(rows, action=action)
    if edited is not None:  # a row button, without JavaScript: redraw, check nothing yet
        settings_form = _settings_as_typed(request.POST)
        return _builder_page(request, **page, settings_form=settings_form, rows=edited)
    checked = {
        "settings_form": FormSettingsForm(request.POST, prefix="s"),
        "builder_rows": builder_forms(rows, bound=True),
    }
    published, errors = _published(request, **page, **checked, publishing=action == "publier")
    if published is None:
        return _builder_page(request, **page, **checked, rows=rows, errors=errors)
    number = published.current_version.number
    messages.success(request, f"Version {number} publiée : le formulaire est en ligne.")
    return redirect("sve:form_edit", slug=published.slug)


@agent_required(admin=True)
@require_POST
def form_builder_preview(request):
    """The preview of the builder's current fields, as a fragment (the page's script
    fetches it on each change)."""
    context = _preview_context(builder_rows_read(request.POST), title=request.POST.get("s-title"))
    return render(request, "sve/_builder_preview.html", context)


@agent_required(admin=True)
def form_preview(request, slug):
    form = get_object_or_404(Form.objects.select_related("current_version"), slug=slug)
    return render(
        request,
        "sve/form_preview.html",
        {
            "form_obj": form,
            "version": form.current_version,
            **_preview_context(
                builder_rows_from_specs(form.current_version.fields),
                title=form.current_version.title,
            ),
        },
    )
