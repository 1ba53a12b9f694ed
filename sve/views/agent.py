"""Agents' pages: the request table (filters, bulk actions, exports) and one request."""

from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from portal.accounts.models import User
from portal.calendar import current_insee_code
from portal.inputs import row_id
from sve import deadlines, exports, rules, selectors, services, table
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
    return selectors.requests_table(insee_code=current_insee_code(), **filters)


@agent_required
def dashboard(request):
    parts = table.dashboard_parts(
        params=request.GET,
        collectivite=connection.tenant,
        today=timezone.localdate(),
        insee_code=current_insee_code(),
    )
    return render(request, "sve/dashboard.html", {"parts": parts})


def _assignee(request) -> User | None:
    """The agent chosen in the "assignee" list (None: nobody); 404 for an unknown id."""
    assignee_id = row_id(request.POST.get("assignee") or "")
    return get_object_or_404(User, pk=assignee_id) if assignee_id else None


def _qualify_all(regime: str):
    return lambda request, chosen: services.requests_qualify(
        requests=chosen, acting_user=request.user, regime=regime
    )


# The request table's bulk actions, by the code each button posts: the one service it
# calls (it returns how many requests changed) and what the agent is told.
BULK_ACTIONS = {
    "assign": (
        lambda request, chosen: services.request_assign(
            requests=chosen, acting_user=request.user, assignee=_assignee(request)
        ),
        "{count} demande(s) attribuée(s).",
    ),
    "qualify_sva": (
        _qualify_all("sva"),
        "{count} demande(s) qualifiée(s) : accusés de réception envoyés.",
    ),
    "qualify_svr": (
        _qualify_all("svr"),
        "{count} demande(s) qualifiée(s) : accusés de réception envoyés.",
    ),
}


@agent_required
@require_POST
def dashboard_bulk(request):
    ids = [n for n in map(row_id, request.POST.getlist("ids")) if n is not None]
    chosen = list(Request.objects.filter(pk__in=ids).order_by("pk"))
    if not chosen:
        messages.error(request, "Sélectionnez au moins une demande.")
        return redirect("sve:dashboard")
    perform, done = BULK_ACTIONS.get(request.POST.get("action"), (None, ""))
    try:
        if perform is None:
            messages.error(request, "Action inconnue.")
        else:
            messages.success(request, done.format(count=perform(request, chosen)))
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
        acting_user=request.user,
        count=len(rows),
        filters={k: str(v) for k, v in filters.items()},
        fmt=fmt,
    )
    return exports.response(rows, fmt=fmt)


def _files(data: dict, name: str) -> dict:
    return {name: data[name]} if data.get(name) else {}


@dataclass(frozen=True)
class PageAction:
    """One action of the request page: the form it posts (None for a bare button, whose
    input ``read`` takes from the POST), the form's name in the page, the one service it
    calls, and what the agent is told once done."""

    form: type[forms.Form] | None
    name: str
    perform: Callable[[Request, User, dict], object]
    done: str
    read: Callable[[HttpRequest], dict] = lambda request: {}
    # A step before the service (a preview to confirm...): a page to show, or None to go on.
    review: Callable[[HttpRequest, Request, forms.Form], HttpResponse | None] | None = None


# A service's refusal shown beside the field it is about (issue 24 §2).
ERROR_FIELDS = {
    "bad_due": "due_on",
    "items_missing": "items",
    "reasons_missing": "reasons",
    "bad_regime": "regime",
}


def _action_form(action: str, *args, **kwargs):
    return REQUEST_ACTIONS[action].form(*args, auto_id=f"{action}-%s", **kwargs)


def _agent_request(pk) -> Request:
    return get_object_or_404(
        Request.objects.select_related("form_version", "assignee").exclude(status=Status.DRAFT),
        pk=pk,
    )


def _detail_context(req, bound: dict | None = None):
    docs = list(req.documents.defer("content"))
    uploads = {d.field_name: d.filename for d in docs if d.kind == Document.Kind.UPLOAD}
    today = timezone.localdate()
    page_forms = {a.name: _action_form(code) for code, a in REQUEST_ACTIONS.items() if a.form}
    page_forms["qualify_form"] = _action_form("qualifier", initial={"regime": req.regime})
    return {
        "req": req,
        "actions": rules.request_actions(req),
        "lines": summary(req.form_version.fields, req.data, uploads),
        "documents": docs,
        "owed": sve_owed.request_owed_labels(req),
        "thread": req.messages.select_related("author").prefetch_related("attachments"),
        "pieces": req.piece_requests.all(),
        "journal": journal_lines(req.journal.order_by("seq")),
        "days_left": deadlines.days_left(deadline=req.implicit_decision_on, today=today),
        **page_forms,
        **(bound or {}),
        "agents": _agents(),
    }


def _refused(request, req, action: str, form, exc: SveError | None = None):
    """The request page again, the agent's form as typed with each error beside its field
    (a service's refusal ``exc`` beside the field it is about); an error about no field
    (the request's state changed) also heads the page, where it is read even when the
    form is no longer offered. A bare button's refusal is told on the page itself."""
    if form is None:
        messages.error(request, " ".join(error_messages(exc)))
        return redirect("sve:agent_request", pk=req.pk)
    if exc is not None:
        field = ERROR_FIELDS.get(getattr(exc, "code", None))
        form.add_error(field if field in form.fields else None, exc)
    general = " ".join(form.non_field_errors())
    messages.error(
        request, general or "Rien n'a été enregistré : corrigez ce qui est signalé ci-dessous."
    )
    context = _detail_context(req, bound={REQUEST_ACTIONS[action].name: form})
    return render(request, "sve/agent_request.html", context, status=400)


def _decision_review(request, req, form):
    """Before a decision goes out (issue 24 §2): back from its preview to the page, the
    decision as typed ("modifier"); or the letter as it will be sent, to confirm. None once
    the agent confirmed."""
    data = form.cleaned_data
    if request.POST.get("modifier"):
        unconfirmed = _action_form("decider", initial={**data, "confirmed": False})
        context = _detail_context(req, bound={"decide_form": unconfirmed})
        return render(request, "sve/agent_request.html", context)
    if data["confirmed"]:
        return None
    accept = data["decision"] == "accept"
    try:
        text = services.decision_preview(
            request=req, acting_user=request.user, accept=accept, reasons=data["reasons"]
        )
    except SveError as exc:  # no reasons for a refusal, the agent's title missing...
        return _refused(request, req, "decider", form, exc)
    confirm = _action_form("decider", initial={**data, "confirmed": True})
    return render(
        request,
        "sve/decision_preview.html",
        {"req": req, "letter": text, "form": confirm, "accept": accept},
    )


# The request page's actions, by the code each button posts (which ones a status allows:
# sve.rules.request_actions); each form with ids of its own (two "Motif" fields once
# shared one id, issue 24 §3).
REQUEST_ACTIONS = {
    "qualifier": PageAction(
        QualifyForm,
        "qualify_form",
        lambda req, user, data: services.request_qualify(
            request=req, acting_user=user, regime=data["regime"]
        ),
        "Demande qualifiée : l'accusé de réception est envoyé.",
    ),
    "pieces": PageAction(
        PiecesForm,
        "pieces_form",
        lambda req, user, data: services.request_ask_pieces(
            request=req, acting_user=user, items=data["items"], due_on=data["due_on"]
        ),
        "Demande de pièces envoyée à l'usager.",
    ),
    "instruction": PageAction(
        None,
        "",
        lambda req, user, data: services.request_start_instruction(request=req, acting_user=user),
        "Demande mise en instruction.",
    ),
    "decider": PageAction(
        DecideForm,
        "decide_form",
        lambda req, user, data: services.request_decide(
            request=req,
            acting_user=user,
            accept=data["decision"] == "accept",
            reasons=data["reasons"],
        ),
        "Décision enregistrée : le courrier est envoyé.",
        review=_decision_review,
    ),
    "classer": PageAction(
        CloseForm,
        "close_form",
        lambda req, user, data: services.request_close(
            request=req, acting_user=user, reasons=data["reasons"]
        ),
        "Demande classée sans suite.",
    ),
    "traiter": PageAction(
        HandleForm,
        "handle_form",
        lambda req, user, data: services.request_handle(
            request=req, acting_user=user, note=data["note"]
        ),
        "Demande traitée : l'usager en est informé.",
    ),
    "attribuer": PageAction(
        None,
        "",
        lambda req, user, data: services.request_assign(
            requests=[req], acting_user=user, assignee=data["assignee"]
        ),
        "Attribution enregistrée.",
        read=lambda request: {"assignee": _assignee(request)},
    ),
    "message": PageAction(
        MessageForm,
        "message_form",
        lambda req, user, data: services.message_post(
            request=req,
            acting_user=user,
            body=data["body"],
            from_agent=True,
            files=_files(data, "attachment"),
        ),
        "Message envoyé.",
    ),
    "note": PageAction(
        NoteForm,
        "note_form",
        lambda req, user, data: services.message_post(
            request=req, acting_user=user, body=data["body"], internal=True, from_agent=True
        ),
        "Note ajoutée.",
    ),
}


@agent_required
def request_detail(request, pk):
    req = _agent_request(pk)
    services.request_open_by_agent(request=req, acting_user=request.user)
    return render(request, "sve/agent_request.html", _detail_context(req))


@agent_required
def request_document(request, pk, document_id):
    req = get_object_or_404(Request.objects.exclude(status=Status.DRAFT), pk=pk)
    document = get_object_or_404(Document, pk=document_id, request=req)
    return file_response(document)


@agent_required
@require_POST
def request_action(request, pk, action):
    """One action of the request page, through its form and service (REQUEST_ACTIONS)."""
    req = _agent_request(pk)
    page_action = REQUEST_ACTIONS.get(action)
    if page_action is None:
        messages.error(request, "Action inconnue.")
        return redirect("sve:agent_request", pk=pk)
    form = _action_form(action, request.POST, request.FILES) if page_action.form else None
    if form is not None and not form.is_valid():
        return _refused(request, req, action, form)
    if page_action.review and (review := page_action.review(request, req, form)):
        return review
    try:
        data = form.cleaned_data if form else page_action.read(request)
        page_action.perform(req, request.user, data)
    except SveError as exc:
        return _refused(request, req, action, form, exc)
    messages.success(request, page_action.done)
    return redirect("sve:agent_request", pk=pk)
