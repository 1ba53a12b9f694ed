"""The audit trail: one store for who did what, when, where (issue 22).

Every state-changing service takes a typed ``acting_user`` (an account, or a named
``SystemActor`` for the worker, the periodic jobs and the commands) and calls
``audit_record`` once, inside its own transaction. Security events (sign-ins, failures,
lockouts, second-factor failures) are recorded the same way by ``identity.audit``; the SVE
journal (each request's legal record) copies each of its entries here.

Entries are ``HistoryEntry`` rows (portal.audit.history): append-only (trigger, migration
0003), hash-chained per stream, verified by ``manage.py verify_audit``.

Streams. One chain per collectivité (``collectivite:<id>``) and one for the platform
(``plateforme``). Each append takes its stream's head row lock until commit; one stream for
the whole platform would serialise every write of every commune on that one row (a filing
in one commune waiting for an appointment booked in another). A collectivité's own writes
are already serialised on its rows (the SVE journal anchor), so a chain per collectivité
costs no new contention, and a commune's trail verifies on its own. The older named
streams of conventions and billing (``history_append``) stay as they are.

Lock order: the head lock is the LAST lock a transaction takes (after the SVE journal's
anchor): record the entry at the end of the service, and do nothing slow after it.

Action codes are stable (``<app>.<what>``, stored); their French labels are declared beside
the service that writes them with ``audit_action`` and shown by the journal pages.
"""

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Union

from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.functional import Promise

from portal.audit.context import client_ip
from portal.audit.history import history_extend
from portal.audit.models import HistoryEntry

if TYPE_CHECKING:
    from portal.accounts.models import User

PLATFORM_STREAM = "plateforme"


@dataclass(frozen=True)
class SystemActor:
    """Whoever acts when no person does: named in the trail by ``label``."""

    code: str
    label: str

    @property
    def pk(self) -> None:
        return None

    def __str__(self) -> str:
        return self.label


SYSTEM_JOB = SystemActor("job", "système : tâche planifiée")
SYSTEM_WORKER = SystemActor("worker", "système : traitement en arrière-plan")
SYSTEM_COMMAND = SystemActor("command", "système : commande d'administration")
# A citizen who acts without an account (anonymous filing, a link from an e-mail).
ANONYMOUS = SystemActor("anonymous", "usager sans compte")

Actor = Union["User", SystemActor]

ACTION_LABELS: dict[str, str | Promise] = {}


def audit_action(code: str, label: str | Promise) -> str:
    """Declare an action code and its French label; returns the code."""
    ACTION_LABELS[code] = label
    return code


def action_label(code: str) -> str:
    return str(ACTION_LABELS.get(code, code))


# --- recording -------------------------------------------------------------------------

CURRENT = object()  # the collectivité of the schema in use (None on the operator's host)


def request_actor(request) -> Actor:
    """Who acts in a request: the signed-in account, or the anonymous citizen."""
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else ANONYMOUS


def current_collectivite_id() -> int | None:
    tenant = getattr(connection, "tenant", None)
    if tenant is None or getattr(tenant, "is_operator", True):
        return None
    return tenant.pk


def actor_fields(acting_user: Actor) -> tuple[int | None, str]:
    if isinstance(acting_user, SystemActor):
        return None, acting_user.label
    if acting_user is None or not getattr(acting_user, "is_authenticated", False):
        return None, ANONYMOUS.label
    return acting_user.pk, acting_user.email


def stream_of(collectivite_id: int | None) -> str:
    return f"collectivite:{collectivite_id}" if collectivite_id else PLATFORM_STREAM


def audit_entry(
    *,
    acting_user: Actor,
    action: str,
    target: models.Model | tuple[str, str] | None = None,
    summary: str = "",
    details: dict | None = None,
    collectivite_id=CURRENT,
    actor_label: str = "",
    at=None,
) -> HistoryEntry:
    """An unsaved entry, for ``audit_extend`` (several at once)."""
    if isinstance(target, models.Model):
        target = (target._meta.label_lower, str(target.pk))
    subject_type, subject_id = target or ("", "")
    actor_id, label = actor_fields(acting_user)
    if collectivite_id is CURRENT:
        collectivite_id = current_collectivite_id()
    return HistoryEntry(
        stream=stream_of(collectivite_id),
        subject_type=subject_type,
        subject_id=subject_id,
        actor_id=actor_id,
        actor_label=(actor_label or label)[:254],
        action=action,
        payload=json.loads(json.dumps(details or {}, default=str)),
        created_at=at or timezone.now(),
        collectivite_id=collectivite_id,
        summary=str(summary)[:300],
        ip=client_ip(),
    )


def audit_record(
    *,
    acting_user: Actor,
    action: str,
    target: models.Model | tuple[str, str] | None = None,
    summary: str = "",
    details: dict | None = None,
    collectivite_id=CURRENT,
) -> HistoryEntry:
    """Record one entry: inside the transaction of the change it records (its own
    transaction otherwise, e.g. a failed sign-in), as the last lock taken."""
    entry = audit_entry(
        acting_user=acting_user,
        action=action,
        target=target,
        summary=summary,
        details=details,
        collectivite_id=collectivite_id,
    )
    return audit_extend([entry])[0]


def audit_extend(entries: list[HistoryEntry]) -> list[HistoryEntry]:
    """Append unsaved entries, stream by stream (streams in a fixed order: no deadlock)."""
    by_stream: dict[str, list[HistoryEntry]] = {}
    for entry in entries:
        by_stream.setdefault(entry.stream, []).append(entry)
    with transaction.atomic():
        for stream in sorted(by_stream):
            history_extend(stream=stream, entries=by_stream[stream])
    return entries
