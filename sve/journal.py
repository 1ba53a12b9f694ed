"""The append-only journal of a tenant's requests, hash-chained.

The database refuses UPDATE, DELETE and TRUNCATE on the table (trigger, migration 0002).
Each entry's hash covers the previous entry's hash and its own content, so an entry altered
or removed behind the database's back (trigger disabled by a superuser, restored dump...)
breaks the chain, which ``manage.py verify_journal`` reports.
"""

import hashlib
import json

from django.db import connection, transaction
from django.utils import timezone

from sve.models import JournalEntry

GENESIS = "0" * 64


def _digest(
    *, prev_hash: str, seq: int, request_id, actor_id, actor_label, action, payload, created_at
) -> str:
    content = json.dumps(
        {
            "seq": seq,
            "request": request_id,
            "actor": actor_id,
            "actor_label": actor_label,
            "action": action,
            "payload": payload,
            "at": created_at.isoformat(),
        },
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
        default=str,
    )
    return hashlib.sha256((prev_hash + content).encode()).hexdigest()


def entry_hash(entry: JournalEntry, prev_hash: str) -> str:
    return _digest(
        prev_hash=prev_hash,
        seq=entry.seq,
        request_id=entry.request_id,
        actor_id=entry.actor_id,
        actor_label=entry.actor_label,
        action=entry.action,
        payload=entry.payload,
        created_at=entry.created_at,
    )


def journal_append(
    *, request=None, actor=None, action: str, payload: dict | None = None, actor_label: str = ""
) -> JournalEntry:
    """Append one entry; must run inside the transaction of the change it records."""
    assert transaction.get_connection().in_atomic_block, "journal_append needs a transaction"
    with connection.cursor() as cursor:
        # Serialise appends of this tenant (one chain per schema) until commit.
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(current_schema()))")
    last = JournalEntry.objects.order_by("-seq").values("seq", "hash").first()
    payload = json.loads(json.dumps(payload or {}, default=str))
    if actor is not None and not actor_label:
        actor_label = actor.email
    entry = JournalEntry(
        seq=(last["seq"] + 1) if last else 1,
        request_id=request.pk if request is not None else None,
        actor_id=actor.pk if actor is not None else None,
        actor_label=actor_label,
        action=action,
        payload=payload,
        created_at=timezone.now(),
        prev_hash=last["hash"] if last else GENESIS,
    )
    entry.hash = entry_hash(entry, entry.prev_hash)
    entry.save(force_insert=True)
    return entry


def journal_verify() -> list[str]:
    """Problems found in the current tenant's chain (empty list: intact), in French."""
    problems = []
    prev_hash = GENESIS
    expected_seq = 1
    for entry in JournalEntry.objects.order_by("seq").iterator(chunk_size=2000):
        if entry.seq != expected_seq:
            problems.append(f"entrée(s) manquante(s) : n°{expected_seq} à n°{entry.seq - 1}")
        if entry.prev_hash != prev_hash:
            problems.append(
                f"entrée n°{entry.seq} : chaînage rompu (entrée précédente altérée ou manquante)"
            )
        if entry_hash(entry, entry.prev_hash) != entry.hash:
            problems.append(f"entrée n°{entry.seq} : contenu altéré")
        prev_hash = entry.hash
        expected_seq = entry.seq + 1
    # Entries removed at the end of the chain leave no gap: every filed request must still
    # have the entry of its submission.
    from sve.models import Request, Status

    orphans = (
        Request.objects.exclude(status=Status.DRAFT)
        .exclude(journal__action="submitted")
        .values_list("reference", flat=True)
    )
    problems.extend(f"demande {ref} : entrée de dépôt manquante" for ref in orphans)
    return problems
