"""portal.db.bulk_insert and bulk_insert_varying: the fast inserts of the implicit-decision
job (issue 25) write the same rows as the ORM, on both sides of the COPY threshold."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from portal.audit.models import HistoryEntry
from portal.db import COPY_FROM, bulk_insert, bulk_insert_varying
from portal.owed.models import OwedDocument

pytestmark = pytest.mark.django_db


def _entries(count: int, *, stream: str) -> list[HistoryEntry]:
    at = timezone.now() - timedelta(days=1)
    return [
        HistoryEntry(
            stream=stream,
            seq=i + 1,
            subject_type="sve.request",
            subject_id=str(i),
            actor_label="système",
            action="sve.implicitly_accepted",
            payload={"n": i, "day": "2026-11-02", "text": "délai échu"},
            created_at=at,
            collectivite_id=7,
            summary=f"Acceptation implicite n°{i}",
            prev_hash="0" * 64,
            hash=f"{i:064d}",
        )
        for i in range(count)
    ]


@pytest.mark.parametrize("count", [3, COPY_FROM + 5])
def test_bulk_insert_writes_every_field_and_sets_primary_keys(count):
    entries = bulk_insert(_entries(count, stream=f"bulk:{count}"))

    assert len({entry.pk for entry in entries}) == count
    assert all(entry.pk is not None and not entry._state.adding for entry in entries)
    stored = {row.pk: row for row in HistoryEntry.objects.filter(stream=f"bulk:{count}")}
    assert stored.keys() == {entry.pk for entry in entries}
    for entry in entries:
        row = stored[entry.pk]
        assert (row.seq, row.subject_id, row.summary, row.hash) == (
            entry.seq,
            entry.subject_id,
            entry.summary,
            entry.hash,
        )
        assert row.payload == entry.payload
        assert row.created_at == entry.created_at
        assert (row.actor_id, row.ip, row.collectivite_id) == (None, None, 7)


def test_bulk_insert_past_the_threshold_fails_whole_on_a_duplicate():
    entries = _entries(COPY_FROM + 1, stream="bulk:dup")
    entries[-1].seq = 1  # (stream, seq) is unique
    with pytest.raises(IntegrityError), transaction.atomic():
        bulk_insert(entries)
    assert not HistoryEntry.objects.filter(stream="bulk:dup").exists()


def test_bulk_insert_varying_copies_the_template_and_skips_conflicts(tenant_a):
    connection.set_tenant(tenant_a)
    now = timezone.now()
    OwedDocument.objects.create(kind="test.bulk", subject_id=2, task="first", owed_at=now)

    bulk_insert_varying(
        OwedDocument(kind="test.bulk", subject_id=0, task="t", owed_at=now, queued_at=now),
        field="subject_id",
        values=[1, 2, 3],
        ignore_conflicts=True,
    )

    rows = OwedDocument.objects.filter(kind="test.bulk").order_by("subject_id")
    assert [(r.subject_id, r.task) for r in rows] == [(1, "t"), (2, "first"), (3, "t")]
    assert all(r.attempts == 1 and r.issued_at is None for r in rows)
    assert rows[0].owed_at == now and rows[0].queued_at == now
