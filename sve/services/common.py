"""Guards shared by the SVE services: who acts, from which status — and the lock order.

Lock order (issue 8: two deadlocks seen on the demo). Every transaction of the SVE app
takes row locks in this order, and holds them only for writes (no PDF, no mail):

1. Request rows, through ``locked()`` / ``requests_locked()``: ``SELECT ... FOR NO KEY
   UPDATE OF sve_request`` — never the joined rows (form version...), several in ascending
   id. NO KEY matters: inserting a row that references a request (journal entry, document)
   makes PostgreSQL take FOR KEY SHARE on it at commit (deferred foreign key check), which
   waits on FOR UPDATE but not on FOR NO KEY UPDATE. With FOR UPDATE, an agent's "opened"
   entry, holding the journal anchor, waited on the worker's request lock while the worker
   waited on the anchor; and a worker locking the form version blocked every filing.
2. Owed-document rows (portal/owed ``owed_issuing``) and the advisory lock of a citizen
   notice: workers only, with no request row locked.
3. The journal anchor (public ``audit_journalanchor``, sve/journal.py): taken by
   ``journal_append``/``journal_extend`` at the end of the transaction, followed only by
4. the commune's audit-trail head (public ``audit_historyhead``, portal/audit/trail.py),
   where the journal copies its entries: always the very last lock.

Workers render PDFs with no transaction open, then store in a short one (portal/owed).
Reading a request never waits on a worker: its "opened" entry takes only the anchor, held
by others for the last milliseconds of their transactions (and is skipped, with a warning,
if the anchor cannot be had within ``OPENED_LOCK_TIMEOUT``). Whatever deadlock PostgreSQL
still detects under load is retried by ``portal.db.retry_on_deadlock`` on every service
called by pages and the API, never shown as a 500.
"""

from django.core.exceptions import ValidationError
from django.db import connection

from portal.permissions import membership_for
from portal.uploads import detected_content_type
from sve.deadlines import PiecePeriod, implicit_decision_on
from sve.models import Document, Request, Status


class SveError(ValidationError):
    """A refused action, with a French message for pages and API alike."""


def tenant():
    return connection.tenant


def require_agent(acting_user) -> None:
    if acting_user is None or membership_for(acting_user, connection.tenant) is None:
        raise SveError(
            "Seuls les agents de la commune peuvent effectuer cette action.", code="forbidden"
        )


def require_admin(acting_user) -> None:
    """The commune's admin (référent) configures forms; ``None`` is the system (demo, seeds)."""
    if acting_user is None:
        return
    membership = membership_for(acting_user, connection.tenant)
    if membership is None or not membership.is_admin:
        raise SveError(
            "Seuls les administrateurs de la commune peuvent configurer les formulaires.",
            code="forbidden",
        )


def require_status(request: Request, allowed: tuple, action: str) -> None:
    if request.status not in allowed:
        raise SveError(
            "Action « %(action)s » impossible : la demande est au statut « %(status)s ».",
            params={"action": action, "status": Status(request.status).label},
            code="bad_status",
        )


def locked(request_id: int) -> Request:
    """The request, its row locked (lock order, level 1); the form version is read, not
    locked."""
    return (
        Request.objects.select_for_update(no_key=True, of=("self",))
        .select_related("form_version")
        .get(pk=request_id)
    )


def requests_locked(ids) -> list[Request]:
    """Several requests locked at once, in ascending id (lock order, level 1)."""
    return list(
        Request.objects.select_for_update(no_key=True, of=("self",))
        .filter(pk__in=list(ids))
        .order_by("pk")
    )


def documents_from_uploads(
    *, request: Request, kind: str, files: dict, message=None
) -> list[Document]:
    """Store uploaded files (by field name) as the request's documents, inside the caller's
    transaction: the bytes as sent, their type read from the bytes (never the browser's
    word), the name's last 255 characters; a file of the request's own form (UPLOAD) keeps
    its field's name. The one path from an upload to a document (filing, pieces, messages)."""
    documents = []
    for field_name, uploaded in files.items():
        uploaded.seek(0)
        content = uploaded.read()
        documents.append(
            Document(
                request=request,
                kind=kind,
                message=message,
                field_name=field_name if kind == Document.Kind.UPLOAD else "",
                filename=uploaded.name[-255:],
                content_type=detected_content_type(content),
                size=len(content),
                content=content,
            )
        )
    return Document.objects.bulk_create(documents)


def deadline_refresh(request: Request) -> None:
    """Recompute the implicit-decision date from receipt and requests for pieces."""
    periods = [
        PiecePeriod(asked_on=p.asked_on, completed_on=p.completed_on, due_on=p.due_on)
        for p in request.piece_requests.all()
    ]
    version = request.form_version
    request.implicit_decision_on = implicit_decision_on(
        regime=request.regime,
        received_on=request.received_on,
        delay_months=version.delay_months,
        delay_days=version.delay_days,
        piece_periods=periods,
        asks_decision=version.asks_decision,
    )


def owe(kind: str, request: Request) -> None:
    """Record, in this transaction, that the document ``kind`` (sve/owed.py) is owed for
    the request; its task is queued on commit and re-queued by the sweep (portal/owed)."""
    from portal.owed.services import owed_record
    from sve.owed import TASK

    owed_record(kind=kind, subject_ids=[request.pk], task=TASK[kind])


def on_commit_task(task, *args) -> None:
    """Queue ``task`` for this tenant once the transaction commits."""
    from django.db import transaction

    from portal.tasks import send_to_tenant

    schema = connection.schema_name
    transaction.on_commit(lambda: send_to_tenant(task, schema, *args))
