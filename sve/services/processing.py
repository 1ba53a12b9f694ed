"""Processing by agents (qualification, pieces, decisions, assignment) and messages."""

import logging
from datetime import date

from django.db import OperationalError, connection, transaction
from django.utils import timezone
from psycopg import errors as pg_errors

from portal.db import retry_on_deadlock
from portal.owed.services import owed_record
from sve.journal import journal_append
from sve.models import Document, Message, PieceRequest, Regime, Request, Status
from sve.owed import OWED_KIND, PIECES, TASK
from sve.rules import (
    ASSIGNABLE,
    CLOSABLE,
    DECIDABLE,
    INSTRUCTION_FROM,
    PIECES_FROM,
    QUALIFIABLE,
)
from sve.services.common import (
    SveError,
    deadline_refresh,
    documents_from_uploads,
    locked,
    on_commit_task,
    owe,
    requests_locked,
    require_agent,
    require_status,
)

logger = logging.getLogger(__name__)
OPENED_LOCK_TIMEOUT = "3s"


def _tasks():
    from sve import tasks

    return tasks


@retry_on_deadlock
def request_open_by_agent(*, request: Request, acting_user) -> bool:
    """Record that an agent opened the request (seed 000: traceability of processing).

    A read must not wait on a worker (lock order, sve/services/common.py): the entry takes
    no request lock, only the journal anchor, and is skipped (False, logged) if the anchor
    stays taken longer than OPENED_LOCK_TIMEOUT."""
    require_agent(acting_user)
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(f"SET LOCAL lock_timeout = '{OPENED_LOCK_TIMEOUT}'")
            journal_append(request=request, acting_user=acting_user, action="opened", payload={})
    except OperationalError as error:
        if not isinstance(error.__cause__, pg_errors.LockNotAvailable):
            raise
        logger.warning("opened entry of request %s skipped: %s", request.pk, error)
        return False
    return True


@retry_on_deadlock
@transaction.atomic
def request_qualify(*, request: Request, acting_user, regime: str) -> Request:
    """Confirm SVA or SVR; the AR (PDF and e-mail) goes out after commit.

    CRPA L112-3 / R112-5: every request gets an AR stating receipt, service, regime, date
    of the implicit decision and, for SVR, appeal routes."""
    require_agent(acting_user)
    if regime not in Regime.values:
        raise SveError(
            "Choisissez « silence vaut accord » ou « silence vaut refus ».", code="bad_regime"
        )
    request = locked(request.pk)
    require_status(request, QUALIFIABLE, "qualifier")
    request.regime = regime
    request.status = Status.ACKNOWLEDGED
    request.acknowledged_at = timezone.now()
    deadline_refresh(request)
    request.save()
    journal_append(
        request=request,
        acting_user=acting_user,
        action="qualified",
        payload={"regime": regime, "implicit_decision_on": request.implicit_decision_on},
    )
    owe(OWED_KIND[Document.Kind.AR], request)
    return request


@retry_on_deadlock
@transaction.atomic
def request_ask_pieces(*, request: Request, acting_user, items: str, due_on: date) -> Request:
    """CRPA L114-5: list what is missing and by when; the clock stops (SVR) or will start
    over (SVA) until the file is complete."""
    require_agent(acting_user)
    items = (items or "").strip()
    if not items:
        raise SveError("Indiquez les pièces ou informations manquantes.", code="items_missing")
    today = timezone.localdate()
    if due_on is None or due_on <= today:
        raise SveError("La date limite doit être postérieure à aujourd'hui.", code="bad_due")
    request = locked(request.pk)
    require_status(request, PIECES_FROM, "demander des pièces")
    piece = PieceRequest.objects.create(request=request, items=items, asked_on=today, due_on=due_on)
    request.status = Status.AWAITING_PIECES
    deadline_refresh(request)
    request.save()
    journal_append(
        request=request,
        acting_user=acting_user,
        action="pieces_requested",
        payload={"items": items, "due_on": due_on},
    )
    # The letter asking for them is owed with this request for pieces (portal/owed): the
    # worker renders and seals it with no transaction open, and mails it once.
    owed_record(kind=PIECES, subject_ids=[piece.pk], task=TASK[PIECES])
    return request


@retry_on_deadlock
@transaction.atomic
def request_complete(
    *, request: Request, acting_user, token: str, files: dict, comment: str = ""
) -> Request:
    """The citizen sends the missing pieces; the clock starts again (L114-5)."""
    if token != request.access_token:
        raise SveError("Vous ne pouvez pas compléter cette demande.", code="forbidden")
    if not files and not comment.strip():
        raise SveError("Joignez au moins une pièce ou un complément d'information.", code="empty")
    request = locked(request.pk)
    require_status(request, (Status.AWAITING_PIECES,), "compléter")
    today = timezone.localdate()
    pending = request.piece_requests.filter(completed_on__isnull=True)
    pending.update(completed_on=today)
    message = Message.objects.create(
        request=request,
        author=acting_user if acting_user and acting_user.is_authenticated else None,
        body=comment.strip() or "Pièces complémentaires envoyées.",
    )
    documents_from_uploads(request=request, kind=Document.Kind.PIECE, files=files, message=message)
    request.status = Status.INSTRUCTION
    deadline_refresh(request)
    request.save()
    journal_append(
        request=request,
        acting_user=acting_user if acting_user and acting_user.is_authenticated else None,
        actor_label=""
        if acting_user and acting_user.is_authenticated
        else f"usager {request.email}",
        action="pieces_received",
        payload={
            "files": [f.name for f in files.values()],
            "implicit_decision_on": request.implicit_decision_on,
        },
    )
    return request


@retry_on_deadlock
@transaction.atomic
def request_start_instruction(*, request: Request, acting_user) -> Request:
    require_agent(acting_user)
    request = locked(request.pk)
    require_status(request, INSTRUCTION_FROM, "mettre en instruction")
    request.status = Status.INSTRUCTION
    request.save()
    journal_append(
        request=request, acting_user=acting_user, action="instruction_started", payload={}
    )
    return request


def decision_signatory(acting_user) -> dict:
    """Who signs an express decision, as the letter will state it.

    CRPA L212-1: a decision states, legibly, the first name, name and title of its author."""
    from portal.permissions import membership_for
    from sve.services.common import tenant

    membership = membership_for(acting_user, tenant())
    signatory = {
        "first_name": (acting_user.first_name or "").strip(),
        "last_name": (acting_user.last_name or "").strip(),
        "title": (getattr(membership, "title", "") or "").strip(),
    }
    if not all(signatory.values()):
        raise SveError(
            "Une décision doit mentionner le prénom, le nom et la qualité de son signataire "
            "(article L212-1 du code des relations entre le public et l'administration) : "
            "complétez votre profil ou demandez à l'administrateur de la commune d'indiquer "
            "votre qualité dans l'équipe.",
            code="signatory_incomplete",
        )
    return signatory


def decision_check(*, accept: bool, reasons: str) -> str:
    """The reasons, stripped, of a decision that may be taken (also before its preview)."""
    reasons = (reasons or "").strip()
    if not accept and not reasons:
        # CRPA L211-2: a refusal states its reasons.
        raise SveError("Un refus doit être motivé.", code="reasons_missing")
    return reasons


def decision_preview(*, request: Request, acting_user, accept: bool, reasons: str) -> str:
    """The decision letter's text as it would go out, refused as ``request_decide`` would
    refuse it (a refusal without reasons, a signatory without a title); nothing written."""
    from sve.documents import decision_preview_text

    decision_check(accept=accept, reasons=reasons)
    return decision_preview_text(
        request=request,
        signatory=decision_signatory(acting_user),
        accept=accept,
        reasons=reasons,
    )


@retry_on_deadlock
@transaction.atomic
def request_decide(*, request: Request, acting_user, accept: bool, reasons: str) -> Request:
    """Express decision: stops the clock; the PDF letter (with appeal routes for a refusal,
    CJA R421-1) is produced and sent after commit."""
    require_agent(acting_user)
    reasons = decision_check(accept=accept, reasons=reasons)
    signatory = decision_signatory(acting_user)
    request = locked(request.pk)
    require_status(request, DECIDABLE, "décider")
    request.piece_requests.filter(completed_on__isnull=True).update(
        completed_on=timezone.localdate()
    )
    request.status = Status.ACCEPTED if accept else Status.REJECTED
    request.decided_at = timezone.now()
    request.decision_reasons = reasons
    request.save()
    journal_append(
        request=request,
        acting_user=acting_user,
        action="accepted" if accept else "rejected",
        payload={"reasons": reasons, "signatory": signatory},
    )
    owe(OWED_KIND[Document.Kind.DECISION], request)
    return request


@retry_on_deadlock
@transaction.atomic
def request_close(*, request: Request, acting_user, reasons: str = "") -> Request:
    require_agent(acting_user)
    request = locked(request.pk)
    require_status(request, CLOSABLE, "classer sans suite")
    return _request_end(
        request, acting_user, status=Status.CLOSED, event="closed", text=("reasons", reasons)
    )


def _request_end(request: Request, acting_user, *, status: str, event: str, text: tuple):
    """End a request with no decision (closed, handled): ``text`` (its name in the journal,
    what the agent wrote) kept as its reasons, journalled; the citizen told once this commits."""
    name, value = text
    request.status = status
    request.decided_at = timezone.now()
    request.decision_reasons = (value or "").strip()
    request.save()
    journal_append(request=request, acting_user=acting_user, action=event, payload={name: value})
    on_commit_task(_tasks().citizen_notify, request.pk, event)
    return request


@retry_on_deadlock
@transaction.atomic
def request_handle(*, request: Request, acting_user, note: str = "") -> Request:
    """Close a report or a question as handled ("Traitée"): it asked no decision
    (sve.deadlines.implicit_outcome_announced), so none is taken; the citizen is told."""
    require_agent(acting_user)
    request = locked(request.pk)
    if request.form_version.asks_decision:
        raise SveError(
            "Cette demande attend une décision : décidez-la ou classez-la sans suite.",
            code="asks_decision",
        )
    require_status(request, CLOSABLE, "marquer comme traitée")
    return _request_end(
        request, acting_user, status=Status.HANDLED, event="handled", text=("note", note)
    )


@retry_on_deadlock
@transaction.atomic
def requests_qualify(*, requests: list[Request], acting_user, regime: str) -> int:
    """Bulk qualification from the request table: all or nothing. The rows are locked
    first, together in id order (lock order), before any journal entry takes the anchor."""
    requests_locked(r.pk for r in requests)
    for request in requests:
        request_qualify(request=request, acting_user=acting_user, regime=regime)
    return len(requests)


@retry_on_deadlock
@transaction.atomic
def request_assign(*, requests: list[Request], acting_user, assignee) -> int:
    """Assign requests to an agent (or to nobody); one journal entry per request."""
    from portal.permissions import membership_for
    from sve.services.common import tenant

    require_agent(acting_user)
    if assignee is not None and membership_for(assignee, tenant()) is None:
        raise SveError("Cette personne n'est pas agent de la commune.", code="bad_assignee")
    ids = [r.pk for r in requests]
    rows = [row for row in requests_locked(ids) if row.status in ASSIGNABLE]
    if len(rows) != len(set(ids)):
        raise SveError("Certaines demandes ne peuvent plus être attribuées.", code="bad_status")
    Request.objects.filter(pk__in=ids).update(assignee=assignee, updated_at=timezone.now())
    for row in rows:
        journal_append(
            request=row,
            acting_user=acting_user,
            action="assigned",
            payload={"assignee": assignee.email if assignee else None},
        )
    return len(rows)


@retry_on_deadlock
@transaction.atomic
def message_post(
    *,
    request: Request,
    acting_user,
    body: str,
    internal: bool = False,
    from_agent: bool,
    files: dict | None = None,
) -> Message:
    """A message between agent and citizen (or an internal note, agents only)."""
    body = (body or "").strip()
    if not body:
        raise SveError("Le message est vide.", code="empty")
    if from_agent or internal:
        require_agent(acting_user)
    request = locked(request.pk)
    if request.status == Status.DRAFT:
        raise SveError("Déposez la demande avant d'envoyer un message.", code="bad_status")
    message = Message.objects.create(
        request=request,
        author=acting_user if acting_user and acting_user.is_authenticated else None,
        from_agent=from_agent or internal,
        internal=internal,
        body=body,
    )
    documents_from_uploads(
        request=request, kind=Document.Kind.MESSAGE, files=files or {}, message=message
    )
    journal_append(
        request=request,
        acting_user=acting_user if acting_user and acting_user.is_authenticated else None,
        actor_label=""
        if acting_user and acting_user.is_authenticated
        else f"usager {request.email}",
        action="note_added" if internal else "message_posted",
        payload={"message": message.pk, "files": [f.name for f in (files or {}).values()]},
    )
    if from_agent and not internal:
        on_commit_task(_tasks().citizen_notify, request.pk, "message")
    return message


@retry_on_deadlock
@transaction.atomic
def requests_export_logged(*, acting_user, count: int, filters: dict, fmt: str) -> None:
    """An agent's export of the request table goes into the journal."""
    require_agent(acting_user)
    journal_append(
        acting_user=acting_user,
        action="exported",
        payload={"format": fmt, "count": count, "filters": filters},
    )
