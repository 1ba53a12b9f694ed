"""The append-only journal of a tenant's requests, hash-chained.

The database refuses UPDATE, DELETE and TRUNCATE on the table (trigger, migration 0002).
Each entry's hash covers the previous entry's hash and its own content, so an entry altered
or removed behind the database's back (trigger disabled by a superuser, restored dump...)
breaks the chain, which ``manage.py verify_journal`` reports.

Entries cut from the end of the chain leave no gap in it: the head of the chain (last seq
and hash) is therefore also kept outside the tenant's schema, in the public table
``audit_journalanchor``, moved in the same transaction as each append. The database refuses
to move an anchor backwards or to delete it (portal/audit migration 0002), so rewinding the
journal takes a second, refused, edit in another schema; and because each append continues
from the anchor rather than from the table, a cut tail also shows as a gap as soon as the
next entry is written.

The anchor's row lock is the last lock of every transaction that journals (lock order:
sve/services/common.py); take no other row lock and do nothing slow after an append.
"""

import json

from django.db import connection, transaction
from django.utils import timezone

from portal.audit.chain import GENESIS, chain_digest, chain_link, chain_problems
from portal.audit.models import JournalAnchor
from sve.models import JournalEntry
from tenants.models import Collectivite


def entry_content(entry: JournalEntry) -> dict:
    """What an entry's hash covers (portal.audit.chain does the chaining)."""
    return {
        "seq": entry.seq,
        "request": entry.request_id,
        "actor": entry.actor_id,
        "actor_label": entry.actor_label,
        "action": entry.action,
        "payload": entry.payload,
        "at": entry.created_at.isoformat(),
    }


def entry_hash(entry: JournalEntry, prev_hash: str) -> str:
    return chain_digest(prev_hash, entry_content(entry))


def journal_append(
    *, request=None, actor=None, action: str, payload: dict | None = None, actor_label: str = ""
) -> JournalEntry:
    """Append one entry; must run inside the transaction of the change it records."""
    if actor is not None and not actor_label:
        actor_label = actor.email
    entry = JournalEntry(
        request_id=request.pk if request is not None else None,
        actor_id=actor.pk if actor is not None else None,
        actor_label=actor_label,
        action=action,
        payload=json.loads(json.dumps(payload or {}, default=str)),
        created_at=timezone.now(),
    )
    return journal_extend(entries=[entry])[0]


def journal_extend(*, entries: list[JournalEntry]) -> list[JournalEntry]:
    """Chain and insert unsaved entries (their seq and hashes are set here), in order, and
    move the tenant's anchor to the last one; must run inside the transaction of the change
    they record. Appends of one tenant are serialised by the anchor's row lock."""
    assert transaction.get_connection().in_atomic_block, "journal_extend needs a transaction"
    if not entries:
        return entries
    anchor = _anchor_locked()
    seq, prev = chain_link(entries, seq=anchor.seq, prev_hash=anchor.hash, content=entry_content)
    JournalEntry.objects.bulk_create(entries, batch_size=2000)
    JournalAnchor.objects.filter(pk=anchor.pk).update(
        seq=seq, hash=prev, updated_at=entries[-1].created_at
    )
    return entries


def _tenant_id() -> int:
    tenant = getattr(connection, "tenant", None)
    if isinstance(tenant, Collectivite):
        return tenant.pk
    return Collectivite.objects.values_list("pk", flat=True).get(schema_name=connection.schema_name)


def _anchor_locked() -> JournalAnchor:
    """The current tenant's anchor, locked (SELECT ... FOR UPDATE) until commit."""
    tenant_id = _tenant_id()
    anchor = JournalAnchor.objects.select_for_update().filter(pk=tenant_id).first()
    if anchor is None:
        # First append since the anchors exist: start from the table's head. INSERT ... ON
        # CONFLICT DO NOTHING waits for a concurrent first append and then keeps its row.
        last = JournalEntry.objects.order_by("-seq").values("seq", "hash").first()
        JournalAnchor.objects.bulk_create(
            [
                JournalAnchor(
                    collectivite_id=tenant_id,
                    seq=last["seq"] if last else 0,
                    hash=last["hash"] if last else GENESIS,
                )
            ],
            ignore_conflicts=True,
        )
        anchor = JournalAnchor.objects.select_for_update().get(pk=tenant_id)
    return anchor


def journal_verify() -> list[str]:
    """Problems found in the current tenant's chain (empty list: intact), in French."""
    anchor = JournalAnchor.objects.filter(pk=_tenant_id()).first()
    problems = chain_problems(
        JournalEntry.objects.order_by("seq").iterator(chunk_size=2000),
        content=entry_content,
        anchor_seq=anchor.seq if anchor else None,
        anchor_hash=anchor.hash if anchor else None,
    )
    # Every filed request must still have the entry of its submission.
    from sve.models import Request, Status

    orphans = (
        Request.objects.exclude(status=Status.DRAFT)
        .exclude(journal__action="submitted")
        .values_list("reference", flat=True)
    )
    problems.extend(f"demande {ref} : entrée de dépôt manquante" for ref in orphans)
    return problems
