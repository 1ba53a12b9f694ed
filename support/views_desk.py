"""The operator's support desk (operator's host): queue, one request, report, help."""

from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from portal.inputs import number, row_id
from support import clock, selectors, services
from support.forms import AssignForm, DeskReplyForm, EtaForm, HelpArticleForm, ResolveForm
from support.models import HelpArticle, SupportAttachment, SupportRequest
from support.permissions import desk_required

PAGE_SIZE = 50


@desk_required
def queue(request):
    filters = {
        "status": request.GET.get("statut", ""),
        "kind": request.GET.get("type", ""),
        "assignee_id": row_id(request.GET.get("suivi")),
    }
    if filters["status"] not in SupportRequest.Status.values:
        filters["status"] = ""
    if filters["kind"] not in SupportRequest.Kind.values:
        filters["kind"] = ""
    page = Paginator(selectors.desk_queue(**filters), PAGE_SIZE).get_page(request.GET.get("page"))
    now = timezone.now()
    for item in page:
        item.badge = selectors.due_badge(item, now=now)
    return render(
        request,
        "support/desk_queue.html",
        {
            "page": page,
            "filters": filters,
            "statuses": SupportRequest.Status.choices,
            "kinds": SupportRequest.Kind.choices,
        },
    )


@desk_required
def request_detail(request, reference):
    return _request_page(request, _desk_request(reference))


def _desk_request(reference: str) -> SupportRequest:
    return get_object_or_404(
        SupportRequest.objects.select_related("collectivite", "filed_by", "assignee"),
        reference=reference,
    )


def _request_page(request, support_request, *, bound: dict | None = None, status: int = 200):
    """The request's page; ``bound``: a refused form sent back as typed, with its errors
    beside its fields (issue 24 §2)."""
    context = {
        "req": support_request,
        "thread": selectors.request_messages(request=support_request, for_desk=True),
        "reply_form": DeskReplyForm(),
        "eta_form": EtaForm(),
        "resolve_form": ResolveForm(),
        "staff": selectors.desk_staff().order_by("email"),
        "badge": selectors.due_badge(support_request),
        **(bound or {}),
    }
    return render(request, "support/desk_request.html", context, status=status)


@dataclass(frozen=True)
class DeskAction:
    """One button of the request page: the service it calls with the request, the desk
    member and what its form cleaned; the form its POST fills (None: nothing typed) and the
    name the page gives that form (empty: a refusal is said atop the page)."""

    service: Callable[..., SupportRequest]
    form: type[forms.Form] | None = None
    form_name: str = ""


def _reply(*, request, user, data):
    return services.support_request_reply(
        request=request,
        user=user,
        body=data["body"],
        from_desk=True,
        internal=data["mode"] == "note",
        wait_for_member=data["mode"] == "wait",
        files=data["files"],
    )


DESK_ACTIONS = {
    "take": DeskAction(
        lambda *, request, user, data: services.support_request_take(request=request, user=user)
    ),
    "assign": DeskAction(
        lambda *, request, user, data: services.support_request_assign(
            request=request, assignee=data["assignee"], by=user
        ),
        AssignForm,
    ),
    "reply": DeskAction(_reply, DeskReplyForm, "reply_form"),
    "eta": DeskAction(
        lambda *, request, user, data: services.support_request_set_eta(
            request=request, user=user, eta=data["eta"]
        ),
        EtaForm,
        "eta_form",
    ),
    "elements": DeskAction(
        lambda *, request, user, data: services.support_request_elements_complete(
            request=request, user=user
        )
    ),
    "resolve": DeskAction(
        lambda *, request, user, data: services.support_request_resolve(
            request=request, user=user, body=data["body"]
        ),
        ResolveForm,
        "resolve_form",
    ),
}


@desk_required
@require_POST
def request_act(request, reference):
    """A button of the request page, through ``DESK_ACTIONS``: its form, then its service.
    A refused form comes back as typed, its errors beside its fields."""
    support_request = _desk_request(reference)
    action = DESK_ACTIONS.get(request.POST.get("action"))
    if action is None:
        return _said(request, reference, ValidationError("Action inconnue."))
    form = action.form(request.POST, request.FILES) if action.form else None
    if form is not None and not form.is_valid():
        return _refused(request, support_request, action, form)
    try:
        action.service(request=support_request, user=request.user, data=form and form.cleaned_data)
    except ValidationError as error:
        if not action.form_name:
            return _said(request, reference, error)
        form.add_error(None, error)
        return _refused(request, support_request, action, form)
    return _said(request, reference)


def _said(request, reference: str, error: ValidationError | None = None):
    if error is None:
        messages.success(request, "C'est enregistré.")
    for text in error.messages if error else ():
        messages.error(request, text)
    return redirect("support_desk:request", reference=reference)


def _refused(request, support_request, action: DeskAction, form):
    if not action.form_name:  # a form with no place on the page (the assignee's list)
        return _said(request, support_request.reference, ValidationError(form.errors))
    return _request_page(request, support_request, bound={action.form_name: form}, status=400)


@desk_required
def attachment(request, pk):
    item = get_object_or_404(SupportAttachment.objects.select_related("message"), pk=pk)
    return _file_response(item)


def _file_response(item: SupportAttachment) -> HttpResponse:
    from django.utils.http import content_disposition_header

    response = HttpResponse(bytes(item.data), content_type=item.content_type)
    response["Content-Disposition"] = content_disposition_header(True, item.name)
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _report_period(request) -> tuple[int, int]:
    today = timezone.localdate()
    year = number(request.GET.get("annee", today.year), low=2000, high=2100)
    month = number(request.GET.get("mois", today.month), low=1, high=12)
    if year is None or month is None:
        return today.year, today.month
    return year, month


CHART_HEIGHT = 120


def _chart_bars(shares):
    """Bar geometry for the report's SVG chart (no inline style: attributes only)."""
    bars = []
    for month, share in shares:
        height = 0 if share is None else round(share * CHART_HEIGHT)
        bars.append(
            {
                "month": month,
                "x": 10 + (month - 1) * 38,
                "y": 10 + CHART_HEIGHT - height,
                "height": height,
                "percent": None if share is None else round(share * 100),
            }
        )
    return bars


@desk_required
def report(request):
    year, month = _report_period(request)
    rows = selectors.take_into_account_report(year=year, month=month)
    if request.GET.get("format") == "csv":
        response = HttpResponse(
            "\ufeff" + selectors.report_csv(rows, year=year, month=month),
            content_type="text/csv; charset=utf-8",
        )
        response["Content-Disposition"] = (
            f'attachment; filename="assistance-prise-en-compte-{year}-{month:02d}.csv"'
        )
        return response
    return render(
        request,
        "support/desk_report.html",
        {
            "year": year,
            "month": month,
            "rows": rows,
            "totals": selectors.report_totals(rows),
            "chart": _chart_bars(selectors.yearly_shares(year=year)),
            "months": range(1, 13),
            "promise": clock.TAKE_INTO_ACCOUNT_PROMISE,
        },
    )


@desk_required
def help_list(request):
    return render(request, "support/desk_help_list.html", {"articles": HelpArticle.objects.all()})


@desk_required
def help_edit(request, pk=None):
    article = get_object_or_404(HelpArticle, pk=pk) if pk else HelpArticle()
    form = HelpArticleForm(request.POST or None, instance=article)
    if request.method == "POST" and form.is_valid():
        try:
            services.help_article_save(acting_user=request.user, article=form.save(commit=False))
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Article enregistré.")
            return redirect("support_desk:help")
    return render(request, "support/desk_help_edit.html", {"form": form, "article": article})
