"""Tamper-evident history of public-schema objects (conventions, titres de recette...).

``history_append`` records one entry in a named stream, inside the transaction of the change
it records; entries are hash-chained per stream (portal.audit.chain) and the stream's head
is moved in the same transaction (its row lock serialises appends of one stream). The
database refuses UPDATE and DELETE of entries and any rewind of a head (migration 0003).
``history_verify`` reports altered, missing and cut-off entries.
"""

import json

from django.db import models, transaction
from django.utils import timezone

from portal.audit.chain import GENESIS, chain_link, chain_problems
from portal.audit.context import client_ip
from portal.audit.models import HistoryEntry, HistoryHead
from portal.db import bulk_insert


def entry_content(entry: HistoryEntry) -> dict:
    """What an entry's hash covers."""
    content = {
        "stream": entry.stream,
        "seq": entry.seq,
        "subject": f"{entry.subject_type}:{entry.subject_id}",
        "actor": entry.actor_id,
        "actor_label": entry.actor_label,
        "action": entry.action,
        "payload": entry.payload,
        "at": entry.created_at.isoformat(),
    }
    # Fields added by the audit trail (migration 0004) are covered when set, so that the
    # entries written before them keep their hash.
    for key, value in (
        ("collectivite", entry.collectivite_id),
        ("summary", entry.summary),
        ("ip", entry.ip),
    ):
        if value:
            content[key] = value
    return content


def subject_key(subject: models.Model) -> tuple[str, str]:
    return subject._meta.label_lower, str(subject.pk)


def history_entry(
    *,
    stream: str,
    subject: models.Model,
    action: str,
    actor=None,
    actor_label: str = "",
    payload: dict | None = None,
    at=None,
) -> HistoryEntry:
    """An unsaved entry, for ``history_extend`` (many at once)."""
    subject_type, subject_id = subject_key(subject)
    if actor is not None and not actor_label:
        actor_label = actor.email
    return HistoryEntry(
        stream=stream,
        subject_type=subject_type,
        subject_id=subject_id,
        actor_id=actor.pk if actor is not None else None,
        actor_label=actor_label,
        action=action,
        payload=json.loads(json.dumps(payload or {}, default=str)),
        created_at=at or timezone.now(),
        # the trail's pages show a commune the entries about its own conventions and titres
        collectivite_id=getattr(subject, "collectivite_id", None),
        ip=client_ip(),
    )


def history_append(
    *,
    stream: str,
    subject: models.Model,
    action: str,
    actor=None,
    actor_label: str = "",
    payload: dict | None = None,
) -> HistoryEntry:
    """Append one entry; must run inside the transaction of the change it records."""
    entry = history_entry(
        stream=stream,
        subject=subject,
        action=action,
        actor=actor,
        actor_label=actor_label,
        payload=payload,
    )
    return history_extend(stream=stream, entries=[entry])[0]


def history_extend(*, stream: str, entries: list[HistoryEntry]) -> list[HistoryEntry]:
    """Chain and insert unsaved entries of one stream, in order, and move its head; must
    run inside the transaction of the change they record."""
    assert transaction.get_connection().in_atomic_block, "history_extend needs a transaction"
    if not entries:
        return entries
    head = _head_locked(stream)
    for entry in entries:
        entry.stream = stream
    seq, last_hash = chain_link(entries, seq=head.seq, prev_hash=head.hash, content=entry_content)
    bulk_insert(entries)
    HistoryHead.objects.filter(pk=stream).update(
        seq=seq, hash=last_hash, updated_at=entries[-1].created_at
    )
    return entries


def _head_locked(stream: str) -> HistoryHead:
    # INSERT ... ON CONFLICT DO NOTHING waits for a concurrent first append, then keeps its row.
    HistoryHead.objects.bulk_create(
        [HistoryHead(stream=stream, seq=0, hash=GENESIS)], ignore_conflicts=True
    )
    return HistoryHead.objects.select_for_update().get(pk=stream)


def history_for(*, subject: models.Model):
    """The entries about one object, oldest first."""
    subject_type, subject_id = subject_key(subject)
    return HistoryEntry.objects.filter(subject_type=subject_type, subject_id=subject_id).order_by(
        "stream", "seq"
    )


def history_verify(*, stream: str) -> list[str]:
    """Problems found in one stream's chain (empty list: intact), in French."""
    head = HistoryHead.objects.filter(pk=stream).first()
    return chain_problems(
        HistoryEntry.objects.filter(stream=stream).order_by("seq").iterator(chunk_size=2000),
        content=entry_content,
        anchor_seq=head.seq if head else None,
        anchor_hash=head.hash if head else None,
    )


def history_streams() -> list[str]:
    """Every stream: those with a head, and any with entries but no head (a deleted head
    is itself a problem ``history_verify`` reports)."""
    heads = set(HistoryHead.objects.values_list("stream", flat=True))
    orphans = set(HistoryEntry.objects.values_list("stream", flat=True).distinct())
    return sorted(heads | orphans)
