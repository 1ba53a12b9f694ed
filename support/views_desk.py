"""The operator's support desk (operator's host): queue, one request, report, help."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from portal.accounts.models import User
from portal.inputs import number, row_id
from support import selectors, services
from support.forms import DeskReplyForm, EtaForm, HelpArticleForm
from support.models import HelpArticle, SupportAttachment, SupportRequest
from support.permissions import desk_required

PAGE_SIZE = 50


def _desk_staff():
    return User.objects.filter(is_active=True).filter(is_platform_admin=True) | User.objects.filter(
        is_active=True, support_desk__isnull=False
    )


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
    support_request = get_object_or_404(
        SupportRequest.objects.select_related("collectivite", "filed_by", "assignee"),
        reference=reference,
    )
    return render(
        request,
        "support/desk_request.html",
        {
            "req": support_request,
            "thread": selectors.request_messages(request=support_request, for_desk=True),
            "reply_form": DeskReplyForm(),
            "eta_form": EtaForm(),
            "staff": _desk_staff().distinct().order_by("email"),
            "badge": selectors.due_badge(support_request),
        },
    )


def _desk_action(request, support_request):
    action = request.POST.get("action")
    user = request.user
    if action == "take":
        return services.support_request_take(request=support_request, user=user)
    if action == "assign":
        assignee = _desk_staff().filter(pk=row_id(request.POST.get("assignee")) or 0).first()
        return services.support_request_assign(request=support_request, assignee=assignee, by=user)
    if action == "reply":
        form = DeskReplyForm(request.POST, request.FILES)
        if not form.is_valid():
            raise ValidationError([e for errors in form.errors.values() for e in errors])
        mode = form.cleaned_data["mode"]
        return services.support_request_reply(
            request=support_request,
            user=user,
            body=form.cleaned_data["body"],
            from_desk=True,
            internal=mode == "note",
            wait_for_member=mode == "wait",
            files=form.cleaned_data["files"],
        )
    if action == "eta":
        form = EtaForm(request.POST)
        if not form.is_valid():
            raise ValidationError("Indiquez une date et une heure valides.")
        return services.support_request_set_eta(
            request=support_request, user=user, eta=form.cleaned_data["eta"]
        )
    if action == "elements":
        return services.support_request_elements_complete(request=support_request, user=user)
    if action == "resolve":
        return services.support_request_resolve(
            request=support_request, user=user, body=request.POST.get("body", "")
        )
    raise ValidationError("Action inconnue.")


@desk_required
@require_POST
def request_act(request, reference):
    support_request = get_object_or_404(SupportRequest, reference=reference)
    try:
        _desk_action(request, support_request)
        messages.success(request, "C'est enregistré.")
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
    return redirect("support_desk:request", reference=reference)


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
