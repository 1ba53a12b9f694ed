"""The public-schema history (portal.audit.history): hash-chained per stream, append-only
in the database, verified; the SVE journal shares the chain code."""

import pytest
from django.db import DatabaseError, connection, transaction

from portal.audit.history import history_append, history_verify
from portal.audit.models import HistoryEntry, HistoryHead


@pytest.fixture
def subject(operator):
    return operator  # any saved model instance


def test_entries_chain_per_stream_and_verify(subject, user_factory):
    user = user_factory()
    with transaction.atomic():
        first = history_append(stream="tests", subject=subject, action="a", actor=user)
        second = history_append(stream="tests", subject=subject, action="b", payload={"n": 1})
        history_append(stream="other", subject=subject, action="c")
    assert (first.seq, second.seq, second.prev_hash) == (1, 2, first.hash)
    assert HistoryHead.objects.get(pk="tests").seq == 2
    assert history_verify(stream="tests") == [] and history_verify(stream="other") == []


def test_the_database_refuses_to_edit_or_delete_an_entry(subject):
    with transaction.atomic():
        entry = history_append(stream="tests", subject=subject, action="a")
    with pytest.raises(DatabaseError), transaction.atomic():
        HistoryEntry.objects.filter(pk=entry.pk).update(action="forged")
    with pytest.raises(DatabaseError), transaction.atomic():
        HistoryEntry.objects.filter(pk=entry.pk).delete()
    with pytest.raises(DatabaseError), transaction.atomic():
        HistoryHead.objects.filter(pk="tests").update(seq=0)


def test_an_entry_altered_behind_the_triggers_back_is_reported(subject):
    with transaction.atomic():
        entry = history_append(stream="tests", subject=subject, action="a", payload={"x": 1})
        history_append(stream="tests", subject=subject, action="b")
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE audit_historyentry DISABLE TRIGGER audit_history_append_only")
        cursor.execute(
            "UPDATE audit_historyentry SET payload = '{\"x\": 2}' WHERE id = %s", [entry.pk]
        )
        cursor.execute("ALTER TABLE audit_historyentry ENABLE TRIGGER audit_history_append_only")
    assert history_verify(stream="tests") == ["entrée n°1 : contenu altéré"]


def test_a_cut_tail_is_reported_by_the_head(subject):
    with transaction.atomic():
        history_append(stream="tests", subject=subject, action="a")
        last = history_append(stream="tests", subject=subject, action="b")
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE audit_historyentry DISABLE TRIGGER audit_history_append_only")
        cursor.execute("DELETE FROM audit_historyentry WHERE id = %s", [last.pk])
        cursor.execute("ALTER TABLE audit_historyentry ENABLE TRIGGER audit_history_append_only")
    assert history_verify(stream="tests") == [
        "entrée(s) manquante(s) en fin de chaîne : n°2 à n°2 (l'ancre indique n°2)"
    ]
