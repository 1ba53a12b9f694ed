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
from django.utils.translation import gettext_lazy as _

from portal.audit.chain import GENESIS, chain_digest, chain_link, chain_problems
from portal.audit.models import JournalAnchor
from portal.audit.trail import SYSTEM_WORKER, audit_action, audit_entry, audit_extend
from portal.db import bulk_insert
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
    *,
    request=None,
    acting_user=None,
    action: str,
    payload: dict | None = None,
    actor_label: str = "",
) -> JournalEntry:
    """Append one entry; must run inside the transaction of the change it records."""
    if acting_user is not None and not actor_label:
        actor_label = acting_user.email
    entry = JournalEntry(
        request_id=request.pk if request is not None else None,
        actor_id=acting_user.pk if acting_user is not None else None,
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
    bulk_insert(entries)
    JournalAnchor.objects.filter(pk=anchor.pk).update(
        seq=seq, hash=prev, updated_at=entries[-1].created_at
    )
    audit_extend([_audit_copy(entry, collectivite_id=anchor.pk) for entry in entries])
    return entries


# The journal's codes, as the audit trail's action filter names them ("sve.<code>").
for _code, _label in {
    "submitted": _("Demande déposée"),
    "qualified": _("Demande qualifiée"),
    "pieces_requested": _("Pièces demandées"),
    "pieces_received": _("Pièces reçues"),
    "instruction_started": _("Instruction commencée"),
    "accepted": _("Demande acceptée"),
    "rejected": _("Demande refusée"),
    "closed": _("Demande classée sans suite"),
    "implicitly_accepted": _("Acceptation implicite"),
    "implicitly_rejected": _("Refus implicite"),
    "assigned": _("Demande attribuée"),
    "message_posted": _("Message sur une demande"),
    "note_added": _("Note interne"),
    "document_issued": _("Document émis"),
    "email_sent": _("Courriel envoyé"),
    "citizen_notified": _("Usager prévenu"),
    "opened": _("Dossier consulté"),
    "form_published": _("Formulaire publié (nouvelle version)"),
    "form_enabled": _("Formulaire mis en ligne"),
    "form_disabled": _("Formulaire retiré"),
}.items():
    audit_action(f"sve.{_code}", _label)


def _audit_copy(entry: JournalEntry, *, collectivite_id: int):
    """The journal entry in the audit trail (issue 22: one trail), after the anchor's lock
    (lock order: the audit head is the last lock)."""
    from sve.journal_text import entry_text

    copy = audit_entry(
        acting_user=SYSTEM_WORKER,
        action=f"sve.{entry.action}",
        target=("sve.request", str(entry.request_id)) if entry.request_id else None,
        summary=entry_text(entry),
        details={"journal_seq": entry.seq, **(entry.payload or {})},
        collectivite_id=collectivite_id,
        at=entry.created_at,
    )
    copy.actor_id = entry.actor_id
    copy.actor_label = (entry.actor_label or copy.actor_label)[:254]
    return copy


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
