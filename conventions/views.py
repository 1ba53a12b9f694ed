"""The operator's conventions pages (platform admins only): list, creation, the convention
page with its timeline and actions, document downloads. Thin: parse, call one service."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST

from conventions import selectors, services
from conventions.forms import (
    AmendmentForm,
    ConventionCreateForm,
    ListFilterForm,
    NoticeForm,
    ReasonForm,
    RefundForm,
    ScanForm,
    SignForm,
    YearForm,
)
from conventions.models import Amendment, Convention, Document
from conventions.services.threshold import threshold_total
from portal.money import euros
from portal.permissions import platform_admin_required

PAGE_SIZE = 50


@platform_admin_required
def convention_list(request):
    form = ListFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    today = timezone.localdate()
    rows = selectors.conventions_page(
        today=today,
        due_within=filters.get("due_within"),
        state=filters.get("state") or "",
        model_id=filters["model"].pk if filters.get("model") else None,
        application=filters["application"].code if filters.get("application") else "",
    )
    if request.GET.get("format") == "csv":
        rows = selectors.next_deadlines_set(list(rows), today=today)
        response = HttpResponse(
            "\ufeff" + selectors.conventions_csv(rows), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="conventions-{today}.csv"'
        return response
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    selectors.next_deadlines_set(page.object_list, today=today)
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "query_string": query.urlencode()}
    return render(request, "conventions/list.html", context)


@platform_admin_required
def convention_dashboard(request):
    """What needs action this month: notices to send, renewals, avenants to answer."""
    to_handle = selectors.conventions_to_handle(today=timezone.localdate())
    return render(request, "conventions/dashboard.html", {"to_handle": to_handle})


@platform_admin_required
def convention_new(request):
    form = ConventionCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        euros = data.get("commitment_euros")
        try:
            convention = services.convention_create(
                model=data["model"],
                collectivite=data["collectivite"],
                applications=list(data["applications"]) or None,
                commitment_cents=int(euros * 100) if euros is not None else None,
                member_signatory=data["member_signatory"],
                member_signatory_title=data["member_signatory_title"],
                operator_signatory=data["operator_signatory"],
                operator_signatory_title=data["operator_signatory_title"],
                acting_user=request.user,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"Convention {convention.reference} créée (brouillon).")
            return redirect("conventions:detail", pk=convention.pk)
    return render(request, "conventions/new.html", {"form": form})


def _convention(pk: int) -> Convention:
    return get_object_or_404(Convention.objects.select_related("model", "collectivite"), pk=pk)


@platform_admin_required
def convention_detail(request, pk):
    return _detail_page(request, _convention(pk))


def _detail_page(request, convention, *, bound: dict | None = None, status: int = 200):
    """The convention page; ``bound``: a form sent back as typed, with its errors."""
    context = {
        "convention": convention,
        "timeline": selectors.convention_timeline(convention),
        "deadlines": selectors.convention_deadlines(convention, today=timezone.localdate()),
        "coverages": convention.coverages.select_related("application"),
        "documents": convention.documents.defer("content"),
        "amendments": convention.amendments.prefetch_related("add", "remove"),
        "actions": services.convention_actions(convention),
        "sign_form": SignForm(),
        "scan_form": ScanForm(),
        "reason_form": ReasonForm(),
        "notice_form": NoticeForm(),
        "amendment_form": AmendmentForm(convention=convention),
        "year_form": YearForm(initial={"year": timezone.localdate().year - 1}),
        **(bound or {}),
    }
    if convention.model.has_threshold:
        context.update(_threshold_panel(request, convention.model))
    return render(request, "conventions/detail.html", context, status=status)


def _threshold_panel(request, model) -> dict:
    """Seed 004's collective threshold: the commitments so far, and the refunds of the
    unused funds the operator types in (``?unused_euros=``)."""
    total = threshold_total(model=model)
    refund_form = RefundForm(request.GET if "unused_euros" in request.GET else None)
    panel = {
        "threshold_total": total,
        "threshold_text": f"{euros(total)} sur {euros(model.threshold_cents)} TTC",
        "refund_form": refund_form,
    }
    if refund_form.is_bound and refund_form.is_valid():
        unused = int(refund_form.cleaned_data["unused_euros"] * 100)
        panel["refunds"] = services.threshold_refunds(model=model, unused_cents=unused)
    return panel


def _back(request, convention, text=None, exc: ValidationError | None = None):
    if exc is not None:
        for message in exc.messages:
            messages.error(request, message)
    elif text:
        messages.success(request, text)
    return redirect("conventions:detail", pk=convention.pk)


@platform_admin_required
@require_POST
def convention_action(request, pk, action):
    """One of the convention page's buttons (send, sign, suspend, resume, scan, notice,
    amendment, usage report): each is one service call."""
    convention = _convention(pk)
    handler = ACTIONS.get(action)
    if handler is None:
        return redirect("conventions:detail", pk=pk)
    try:
        text = handler(request, convention)
    except ValidationError as exc:
        if action not in ACTION_FORMS:
            return _back(request, convention, exc=exc)
        return _refused(request, convention, action, exc)
    return _back(request, convention, text)


# The page's forms by the action that posts each (issue 24 §2: a refused form comes back as
# typed, each error beside its field, instead of a message atop an emptied form).
ACTION_FORMS = {
    "sign": ("sign_form", SignForm),
    "scan": ("scan_form", ScanForm),
    "suspend": ("reason_form", ReasonForm),
    "notice": ("notice_form", NoticeForm),
    "amendment": ("amendment_form", AmendmentForm),
    "report": ("year_form", YearForm),
}


def _refused(request, convention, action: str, exc: ValidationError):
    name, form_class = ACTION_FORMS[action]
    kwargs = {"convention": convention} if form_class is AmendmentForm else {}
    form = form_class(request.POST, request.FILES, **kwargs)
    if form.is_valid():  # the service refused: its reason above the form's fields
        form.add_error(None, exc)
    # An error about no field also heads the page (the form may no longer be offered).
    general = " ".join(form.non_field_errors())
    messages.error(
        request, general or "Rien n'a été enregistré : corrigez ce qui est signalé ci-dessous."
    )
    return _detail_page(request, convention, bound={name: form}, status=400)


def _form(form_class, request, **kwargs):
    form = form_class(request.POST, request.FILES, **kwargs)
    if not form.is_valid():
        raise ValidationError(
            [
                f"{form.fields[f].label if f in form.fields else ''} : {e}".strip(" :")
                for f, errors in form.errors.items()
                for e in errors
            ]
        )
    return form.cleaned_data


def _send(request, convention):
    services.convention_send(convention=convention, acting_user=request.user)
    return "Convention envoyée pour signature ; le PDF est en cours de génération."


def _sign(request, convention):
    data = _form(SignForm, request)
    services.convention_sign_with_scan(
        convention=convention,
        signed_on=data["signed_on"],
        starts_on=data["starts_on"],
        scan=data["scan"],
        acting_user=request.user,
    )
    return "Signature enregistrée."


def _scan(request, convention):
    services.convention_scan_attach(
        convention=convention, uploaded=_form(ScanForm, request)["scan"], acting_user=request.user
    )
    return "Scan signé joint."


def _suspend(request, convention):
    reason = _form(ReasonForm, request)["reason"]
    services.convention_suspend(convention=convention, reason=reason, acting_user=request.user)
    return "Convention suspendue : l'espace de gestion de la collectivité est bloqué."


def _resume(request, convention):
    services.convention_resume(convention=convention, acting_user=request.user)
    return "Suspension levée."


def _notice(request, convention):
    data = _form(NoticeForm, request)
    notice = services.notice_record(
        convention=convention,
        party=data["party"],
        kind=data["kind"],
        received_on=data["received_on"],
        means=data["means"],
        reason=data["reason"],
        letter=data["letter"],
        tariff_notified_on=data["tariff_notified_on"],
        acting_user=request.user,
    )
    late = "" if notice.on_time else " (tardive : elle prend effet à l'échéance suivante)"
    return f"Dénonciation enregistrée{late} : fin de la convention le {notice.ends_on:%d/%m/%Y}."


def _amendment(request, convention):
    data = _form(AmendmentForm, request, convention=convention)
    amendment = services.amendment_request(
        convention=convention,
        add=list(data["add"]),
        remove=list(data["remove"]),
        requested_on=data["requested_on"],
        effective_on=data["effective_on"],
        note=data["note"],
        acting_user=request.user,
    )
    return (
        f"Avenant n°{amendment.number} enregistré : réponse due le"
        f" {amendment.answer_due_on:%d/%m/%Y}, effet le {amendment.effective_on:%d/%m/%Y}."
    )


def _answer(request, convention, accept: bool):
    amendment = get_object_or_404(
        Amendment, convention=convention, pk=request.POST.get("amendment")
    )
    services.amendment_answer(amendment=amendment, accept=accept, acting_user=request.user)
    return f"Avenant n°{amendment.number} {'accepté' if accept else 'refusé'}."


def _report(request, convention):
    year = _form(YearForm, request)["year"]
    services.usage_report_request(convention=convention, year=year, acting_user=request.user)
    return f"Compte rendu {year} demandé : le PDF est en cours de génération."


ACTIONS = {
    "send": _send,
    "sign": _sign,
    "scan": _scan,
    "suspend": _suspend,
    "resume": _resume,
    "notice": _notice,
    "amendment": _amendment,
    "accept": lambda request, convention: _answer(request, convention, True),
    "refuse": lambda request, convention: _answer(request, convention, False),
    "report": _report,
}


def document_response(document: Document) -> HttpResponse:
    if document.content is None:
        return HttpResponse("Document en cours de génération.", status=404)
    response = HttpResponse(bytes(document.content), content_type=document.content_type)
    response["Content-Disposition"] = content_disposition_header(True, document.filename)
    return response


@platform_admin_required
def document_download(request, pk, document_pk):
    document = get_object_or_404(Document, convention_id=pk, pk=document_pk)
    return document_response(document)
