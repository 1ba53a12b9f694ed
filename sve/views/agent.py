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
from sve import deadlines, documents, exports, selectors, services, table
from sve import owed as sve_owed
from sve.fields import summary
from sve.forms import (
    CloseForm,
    DecideForm,
    HandleForm,
    MessageForm,
    NoteForm,
    PiecesForm,
    QualifyForm,
)
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


# The request page's forms, by the action that posts each, under the name the page knows
# it by; each with ids of its own (two "Motif" fields once shared one id, issue 24 §3).
ACTION_FORMS = {
    "qualifier": ("qualify_form", QualifyForm),
    "pieces": ("pieces_form", PiecesForm),
    "decider": ("decide_form", DecideForm),
    "classer": ("close_form", CloseForm),
    "traiter": ("handle_form", HandleForm),
    "message": ("message_form", MessageForm),
    "note": ("note_form", NoteForm),
}
# A service's refusal shown beside the field it is about (issue 24 §2).
ERROR_FIELDS = {
    "bad_due": "due_on",
    "items_missing": "items",
    "reasons_missing": "reasons",
    "bad_regime": "regime",
}


def _action_form(action: str, *args, **kwargs):
    return ACTION_FORMS[action][1](*args, auto_id=f"{action}-%s", **kwargs)


def _detail_context(req, bound: dict | None = None):
    docs = list(req.documents.defer("content"))
    uploads = {d.field_name: d.filename for d in docs if d.kind == Document.Kind.UPLOAD}
    today = timezone.localdate()
    forms = {name: _action_form(action) for action, (name, _) in ACTION_FORMS.items()}
    forms["qualify_form"] = _action_form("qualifier", initial={"regime": req.regime})
    return {
        "req": req,
        "lines": summary(req.form_version.fields, req.data, uploads),
        "documents": docs,
        "owed": sve_owed.request_owed_labels(req),
        "thread": req.messages.select_related("author").prefetch_related("attachments"),
        "pieces": req.piece_requests.all(),
        "journal": journal_lines(req.journal.order_by("seq")),
        "days_left": deadlines.days_left(deadline=req.implicit_decision_on, today=today),
        **forms,
        **(bound or {}),
        "agents": _agents(),
        "S": Status,
    }


def _refused(request, req, action: str, form):
    """The request page again, the agent's form as typed with each error beside its field;
    an error about no field (the request's state changed) also heads the page, where it is
    read even when the form is no longer offered."""
    general = " ".join(form.non_field_errors())
    messages.error(
        request, general or "Rien n'a été enregistré : corrigez ce qui est signalé ci-dessous."
    )
    context = _detail_context(req, bound={ACTION_FORMS[action][0]: form})
    return render(request, "sve/agent_request.html", context, status=400)


def _decision_preview(request, req, form):
    """The decision letter as it will be sent, and the agent's confirmation (issue 24 §2)."""
    services.decision_check(
        accept=form.cleaned_data["decision"] == "accept", reasons=form.cleaned_data["reasons"]
    )
    text = documents.decision_preview_text(
        request=req,
        signatory=services.decision_signatory(request.user),
        accept=form.cleaned_data["decision"] == "accept",
        reasons=form.cleaned_data["reasons"],
    )
    confirm = _action_form("decider", initial={**form.cleaned_data, "confirmed": True})
    return render(
        request,
        "sve/decision_preview.html",
        {
            "req": req,
            "letter": text,
            "form": confirm,
            "accept": form.cleaned_data["decision"] == "accept",
        },
    )


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
    req = get_object_or_404(
        Request.objects.select_related("form_version", "assignee").exclude(status=Status.DRAFT),
        pk=pk,
    )
    form = _action_form(action, request.POST, request.FILES) if action in ACTION_FORMS else None
    if form is not None and not form.is_valid():
        return _refused(request, req, action, form)
    data = form.cleaned_data if form else {}
    if action == "decider" and request.POST.get("modifier"):
        # Back from the preview to the page, the decision as typed.
        unconfirmed = _action_form("decider", initial={**data, "confirmed": False})
        context = _detail_context(req, bound={"decide_form": unconfirmed})
        return render(request, "sve/agent_request.html", context)
    if action == "decider" and not data["confirmed"]:
        try:
            return _decision_preview(request, req, form)
        except SveError as exc:  # no reasons for a refusal, the agent's title missing...
            field = ERROR_FIELDS.get(getattr(exc, "code", None))
            form.add_error(field if field in form.fields else None, exc)
            return _refused(request, req, action, form)
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
        elif action == "traiter":
            services.request_handle(request=req, actor=actor, note=data["note"])
            messages.success(request, "Demande traitée : l'usager en est informé.")
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
        if form is None:
            messages.error(request, " ".join(error_messages(exc)))
            return redirect("sve:agent_request", pk=pk)
        field = ERROR_FIELDS.get(getattr(exc, "code", None))
        form.add_error(field if field in form.fields else None, exc)
        return _refused(request, req, action, form)
    return redirect("sve:agent_request", pk=pk)
