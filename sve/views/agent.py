"""Agents' pages: the request table (filters, bulk actions, exports) and one request."""

from django.contrib import messages
from django.db import connection
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from portal.accounts.models import User
from portal.inputs import row_id
from portal.owed.selectors import owed_pending
from sve import deadlines, exports, selectors, services, table
from sve import owed as sve_owed
from sve.fields import summary
from sve.forms import CloseForm, DecideForm, MessageForm, PiecesForm, QualifyForm
from sve.journal_text import journal_lines
from sve.models import Document, Request, Status
from sve.services import SveError
from sve.views.common import agent_required, error_messages, file_response
from tenants.selectors import collectivite_staff_labels


def _agents():
    return collectivite_staff_labels(collectivite=connection.tenant)


def _filters(request, agents):
    form = table.filter_form(
        request.GET, agents=agents, forms_choices=selectors.form_choices_cached()
    )
    return form, table.filters_of(form)


def _table(filters):
    return selectors.requests_table(insee_code=connection.tenant.insee_code or "", **filters)


@agent_required
def dashboard(request):
    parts = table.dashboard_parts(
        params=request.GET,
        collectivite=connection.tenant,
        today=timezone.localdate(),
        insee_code=connection.tenant.insee_code or "",
    )
    return render(request, "sve/dashboard.html", {"parts": parts})


@agent_required
@require_POST
def dashboard_bulk(request):
    ids = [n for n in map(row_id, request.POST.getlist("ids")) if n is not None]
    chosen = list(Request.objects.filter(pk__in=ids).order_by("pk"))
    if not chosen:
        messages.error(request, "Sélectionnez au moins une demande.")
        return redirect("sve:dashboard")
    action = request.POST.get("action")
    try:
        if action == "assign":
            assignee_id = request.POST.get("assignee") or ""
            assignee = (
                get_object_or_404(User, pk=row_id(assignee_id)) if row_id(assignee_id) else None
            )
            count = services.request_assign(requests=chosen, actor=request.user, assignee=assignee)
            messages.success(request, f"{count} demande(s) attribuée(s).")
        elif action in ("qualify_sva", "qualify_svr"):
            services.requests_qualify(requests=chosen, actor=request.user, regime=action[-3:])
            messages.success(
                request, f"{len(chosen)} demande(s) qualifiée(s) : accusés de réception envoyés."
            )
        else:
            messages.error(request, "Action inconnue.")
    except SveError as exc:
        messages.error(request, " ".join(error_messages(exc)))
    target = request.POST.get("next") or ""
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "sve:dashboard"
    return redirect(target)


@agent_required
def export(request, fmt):
    if fmt not in ("csv", "xlsx"):
        raise Http404
    _, filters = _filters(request, _agents())
    rows = list(_table(filters)[: exports.MAX_ROWS])
    services.requests_export_logged(
        actor=request.user,
        count=len(rows),
        filters={k: str(v) for k, v in filters.items()},
        fmt=fmt,
    )
    return exports.response(rows, fmt=fmt)


def _detail_context(req):
    docs = list(req.documents.defer("content"))
    uploads = {d.field_name: d.filename for d in docs if d.kind == Document.Kind.UPLOAD}
    today = timezone.localdate()
    return {
        "req": req,
        "lines": summary(req.form_version.fields, req.data, uploads),
        "documents": docs,
        "owed": sve_owed.owed_labels(owed_pending(subject_id=req.pk, kinds=sve_owed.LABEL)),
        "thread": req.messages.select_related("author").prefetch_related("attachments"),
        "pieces": req.piece_requests.all(),
        "journal": journal_lines(req.journal.order_by("seq")),
        "days_left": deadlines.days_left(deadline=req.implicit_decision_on, today=today),
        "qualify_form": QualifyForm(initial={"regime": req.regime}),
        "pieces_form": PiecesForm(),
        "decide_form": DecideForm(),
        "close_form": CloseForm(),
        "message_form": MessageForm(),
        "agents": _agents(),
        "S": Status,
    }


@agent_required
def request_detail(request, pk):
    req = get_object_or_404(
        Request.objects.select_related("form_version", "assignee").exclude(status=Status.DRAFT),
        pk=pk,
    )
    services.request_open_by_agent(request=req, actor=request.user)
    return render(request, "sve/agent_request.html", _detail_context(req))


@agent_required
def request_document(request, pk, document_id):
    req = get_object_or_404(Request.objects.exclude(status=Status.DRAFT), pk=pk)
    document = get_object_or_404(Document, pk=document_id, request=req)
    return file_response(document)


@agent_required
@require_POST
def request_action(request, pk, action):
    req = get_object_or_404(Request.objects.exclude(status=Status.DRAFT), pk=pk)
    form_classes = {
        "qualifier": QualifyForm,
        "pieces": PiecesForm,
        "decider": DecideForm,
        "classer": CloseForm,
        "message": MessageForm,
        "note": MessageForm,
    }
    form = form_classes[action](request.POST, request.FILES) if action in form_classes else None
    if form is not None and not form.is_valid():
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
        return redirect("sve:agent_request", pk=pk)
    data = form.cleaned_data if form else {}
    actor = request.user
    try:
        if action == "qualifier":
            services.request_qualify(request=req, actor=actor, regime=data["regime"])
            messages.success(request, "Demande qualifiée : l'accusé de réception est envoyé.")
        elif action == "pieces":
            services.request_ask_pieces(
                request=req, actor=actor, items=data["items"], due_on=data["due_on"]
            )
            messages.success(request, "Demande de pièces envoyée à l'usager.")
        elif action == "instruction":
            services.request_start_instruction(request=req, actor=actor)
            messages.success(request, "Demande mise en instruction.")
        elif action == "decider":
            services.request_decide(
                request=req,
                actor=actor,
                accept=data["decision"] == "accept",
                reasons=data["reasons"],
            )
            messages.success(request, "Décision enregistrée : le courrier est envoyé.")
        elif action == "classer":
            services.request_close(request=req, actor=actor, reasons=data["reasons"])
            messages.success(request, "Demande classée sans suite.")
        elif action == "attribuer":
            assignee_id = request.POST.get("assignee") or ""
            assignee = (
                get_object_or_404(User, pk=row_id(assignee_id)) if row_id(assignee_id) else None
            )
            services.request_assign(requests=[req], actor=actor, assignee=assignee)
            messages.success(request, "Attribution enregistrée.")
        elif action in ("message", "note"):
            files = {"attachment": data["attachment"]} if data.get("attachment") else {}
            services.message_post(
                request=req,
                actor=actor,
                body=data["body"],
                internal=action == "note",
                from_agent=True,
                files=files,
            )
            messages.success(request, "Note ajoutée." if action == "note" else "Message envoyé.")
        else:
            messages.error(request, "Action inconnue.")
    except SveError as exc:
        messages.error(request, " ".join(error_messages(exc)))
    return redirect("sve:agent_request", pk=pk)
