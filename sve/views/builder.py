"""The commune admin's form catalogue: seed 002 templates in one click, a form builder
(formset of typed fields) with a preview, versions published on save."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from sve import services
from sve.builder import rows_to_specs, specs_to_rows
from sve.catalogue import TEMPLATES
from sve.fields import build_form_class
from sve.forms import FieldFormSet, FormSettingsForm
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
        form = services.form_template_enable(code=code, actor=request.user)
        messages.success(request, f"« {form} » est en ligne.")
    except SveError as exc:
        messages.error(request, " ".join(error_messages(exc)))
    return redirect("sve:forms")


@agent_required(admin=True)
@require_POST
def form_toggle(request, slug):
    form = get_object_or_404(Form.objects.select_related("current_version"), slug=slug)
    try:
        services.form_enable(form=form, actor=request.user, enabled=not form.is_enabled)
    except SveError as exc:
        messages.error(request, " ".join(error_messages(exc)))
    else:
        messages.success(
            request,
            "Formulaire mis en ligne." if form.is_enabled else "Formulaire retiré du catalogue.",
        )
    return redirect("sve:forms")


@agent_required(admin=True)
def form_edit(request, slug=None):
    form = (
        get_object_or_404(Form.objects.select_related("current_version"), slug=slug)
        if slug
        else None
    )
    version = form.current_version if form else None
    preview = None
    if request.method == "POST":
        settings_form = FormSettingsForm(request.POST, prefix="s")
        formset = FieldFormSet(request.POST, prefix="champs")
        if settings_form.is_valid() and formset.is_valid():
            try:
                specs = rows_to_specs(
                    [row for row in formset.cleaned_data if row],
                    previous=version.fields if version else [],
                )
                values = {**settings_form.cleaned_data, "fields": specs}
                if request.POST.get("action") == "apercu":
                    from sve.fields import specs_check

                    specs_check(specs)
                    preview = build_form_class(specs)(prefix="apercu")
                elif request.POST.get("action") == "brouillon":
                    form = services.form_save(form=form, actor=request.user, **values)
                    messages.success(
                        request, "Formulaire enregistré, sans changer sa mise en ligne."
                    )
                    return redirect("sve:form_edit", slug=form.slug)
                else:
                    form = services.form_publish(form=form, actor=request.user, **values)
                    messages.success(
                        request,
                        f"Version {form.current_version.number} publiée : le formulaire est en ligne.",
                    )
                    return redirect("sve:form_edit", slug=form.slug)
            except (SveError, ValidationError) as exc:
                for message in error_messages(exc):
                    settings_form.add_error(None, message)
    else:
        if version:
            initial = {name: getattr(version, name) for name in FormSettingsForm.base_fields}
        else:
            initial = services.form_new_defaults()
        settings_form = FormSettingsForm(prefix="s", initial=initial)
        formset = FieldFormSet(
            prefix="champs", initial=specs_to_rows(version.fields) if version else None
        )
    return render(
        request,
        "sve/form_edit.html",
        {
            "form_obj": form,
            "version": version,
            "settings_form": settings_form,
            "formset": formset,
            "preview": preview,
        },
    )


@agent_required(admin=True)
def form_preview(request, slug):
    form = get_object_or_404(Form.objects.select_related("current_version"), slug=slug)
    return render(
        request,
        "sve/form_preview.html",
        {
            "form_obj": form,
            "version": form.current_version,
            "preview": build_form_class(form.current_version.fields)(prefix="apercu"),
        },
    )
