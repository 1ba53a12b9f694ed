"""The journal: append-only in the database, hash-chained, checked by verify_journal."""

import io
import threading

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, connections, transaction

from portal.audit.models import JournalAnchor
from sve.journal import entry_hash, journal_append, journal_verify
from sve.models import JournalEntry
from tests.conftest import in_tenant
from tests.sve.conftest import enabled_form, submit

pytestmark = pytest.mark.django_db


def _entries(tenant, n=3):
    with in_tenant(tenant):
        form = enabled_form()
        for _ in range(n):
            submit(form)
        return list(JournalEntry.objects.order_by("seq"))


def test_chain_links_each_entry_to_the_previous(tenant_a):
    entries = _entries(tenant_a)
    with in_tenant(tenant_a):
        assert [e.seq for e in entries] == list(range(1, len(entries) + 1))
        for previous, entry in zip(entries, entries[1:], strict=False):
            assert entry.prev_hash == previous.hash
        assert journal_verify() == []


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE sve_journalentry SET action = 'x'",
        "DELETE FROM sve_journalentry",
        # Deferred FK checks first, or PostgreSQL refuses for another reason.
        "SET CONSTRAINTS ALL IMMEDIATE; TRUNCATE sve_journalentry",
    ],
)
def test_database_refuses_update_delete_truncate(tenant_a, sql):
    _entries(tenant_a, 1)
    with in_tenant(tenant_a):
        with pytest.raises(DatabaseError, match="append-only"):
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(sql)
        with pytest.raises(DatabaseError):
            with transaction.atomic():
                JournalEntry.objects.update(action="x")


def test_tenant_cloned_after_the_migration_has_the_trigger(db):
    from tenants.services import collectivite_create

    # Created inside the test's transaction: the schema goes away with its rollback.
    tenant = collectivite_create(name="Commune clonée", slug="test-clone", insee_code="67482")
    with in_tenant(tenant):
        with transaction.atomic():
            journal_append(action="test", payload={})
        with pytest.raises(DatabaseError, match="append-only"):
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("DELETE FROM sve_journalentry")


def _tamper(sql):
    """What a superuser could do behind the application's back."""
    with transaction.atomic(), connection.cursor() as cursor:
        # A superuser session may switch triggers off for itself.
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(sql)
        cursor.execute("SET LOCAL session_replication_role = origin")


def test_verify_journal_reports_an_altered_entry(tenant_a):
    _entries(tenant_a)
    with in_tenant(tenant_a):
        _tamper('UPDATE sve_journalentry SET payload = \'{"reference": "faux"}\' WHERE seq = 2')
        assert journal_verify() == ["entrée n°2 : contenu altéré"]
    out = io.StringIO()
    with pytest.raises(CommandError, match="altéré"):
        call_command("verify_journal", schema="c_test_a", stdout=out)
    assert "c_test_a: entrée n°2 : contenu altéré" in out.getvalue()


def test_verify_journal_reports_a_missing_entry(tenant_a):
    _entries(tenant_a)
    with in_tenant(tenant_a):
        _tamper("DELETE FROM sve_journalentry WHERE seq = 2")
        problems = journal_verify()
    assert "entrée(s) manquante(s) : n°2 à n°2" in problems
    assert any("chaînage rompu" in p for p in problems)


def test_verify_journal_passes_on_an_intact_journal(tenant_a, tenant_b):
    _entries(tenant_a, 2)
    out = io.StringIO()
    call_command("verify_journal", stdout=out)
    assert "c_test_a: journal intact" in out.getvalue()
    assert "c_test_b: journal intact" in out.getvalue()


def test_verify_journal_reports_entries_cut_from_the_end(tenant_a):
    _entries(tenant_a, 2)
    with in_tenant(tenant_a):
        last = JournalEntry.objects.order_by("-seq").first()
        reference = last.payload["reference"]
        _tamper(f"DELETE FROM sve_journalentry WHERE seq = {last.seq}")
        assert journal_verify() == [
            f"entrée(s) manquante(s) en fin de chaîne : n°{last.seq} à n°{last.seq}"
            f" (l'ancre indique n°{last.seq})",
            f"demande {reference} : entrée de dépôt manquante",
        ]


def _append(n=1, action="ouverture"):
    with transaction.atomic():
        return [journal_append(action=action, payload={"n": i}) for i in range(n)]


def test_tail_cut_without_a_submission_is_reported_by_the_anchor(tenant_a):
    """Entries that no request depends on (openings, exports) cut from the end."""
    _entries(tenant_a, 1)
    with in_tenant(tenant_a):
        entries = _append(3)
        _tamper(f"DELETE FROM sve_journalentry WHERE seq >= {entries[1].seq}")
        assert journal_verify() == [
            f"entrée(s) manquante(s) en fin de chaîne : n°{entries[1].seq} à n°{entries[2].seq}"
            f" (l'ancre indique n°{entries[2].seq})"
        ]
    with pytest.raises(CommandError):
        call_command("verify_journal", schema="c_test_a", stdout=io.StringIO())


def test_next_append_continues_from_the_anchor_not_the_cut_table(tenant_a):
    with in_tenant(tenant_a):
        _, second = _append(2)
        _tamper(f"DELETE FROM sve_journalentry WHERE seq = {second.seq}")
        (third,) = _append(1)
        assert (third.seq, third.prev_hash) == (second.seq + 1, second.hash)
        assert journal_verify() == [
            f"entrée(s) manquante(s) : n°{second.seq} à n°{second.seq}",
            f"entrée n°{third.seq} : chaînage rompu (entrée précédente altérée ou manquante)",
        ]


def _forge(entry, **changes):
    """Replace ``entry`` by a forged one whose own hash is consistent (the attacker rehashes)."""
    for name, value in changes.items():
        setattr(entry, name, value)
    entry.hash = entry_hash(entry, entry.prev_hash)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute("DELETE FROM sve_journalentry WHERE seq = %s", [entry.seq])
        entry.save(force_insert=True)
        cursor.execute("SET LOCAL session_replication_role = origin")


def test_rewritten_last_entry_is_an_anchor_mismatch(tenant_a):
    with in_tenant(tenant_a):
        (last,) = _append(1)
        _forge(JournalEntry.objects.get(pk=last.pk), payload={"n": "réécrit"}, id=None)
        assert journal_verify() == [
            f"ancre discordante : l'empreinte de l'entrée n°{last.seq} diffère de l'ancre"
        ]


def test_entries_written_behind_the_application_are_beyond_the_anchor(tenant_a):
    with in_tenant(tenant_a):
        (last,) = _append(1)
        forged = JournalEntry(
            seq=last.seq + 1,
            action="ouverture",
            payload={},
            created_at=last.created_at,
            prev_hash=last.hash,
        )
        _forge(forged)
        assert journal_verify() == [
            f"entrée(s) n°{forged.seq} à n°{forged.seq} au-delà de l'ancre"
            " (écrites hors de l'application)"
        ]


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE audit_journalanchor SET seq = seq - 1",
        "UPDATE audit_journalanchor SET hash = repeat('a', 64)",
        "UPDATE audit_journalanchor SET seq = 0, hash = repeat('0', 64)",
        "DELETE FROM audit_journalanchor",
    ],
)
def test_database_refuses_to_rewind_or_delete_the_anchor(tenant_a, sql):
    with in_tenant(tenant_a):
        _append(2)
        anchor = JournalAnchor.objects.get(pk=tenant_a.pk)
        with pytest.raises(DatabaseError, match="forward-only"):
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(sql)
        assert (
            JournalAnchor.objects.get(pk=tenant_a.pk).seq
            == anchor.seq
            == 2 + (JournalEntry.objects.count() - 2)
        )


def test_anchor_lives_in_the_public_schema_per_collectivite(tenant_a, tenant_b):
    with in_tenant(tenant_a):
        _append(3)
    with in_tenant(tenant_b):
        _append(1)
        head = JournalEntry.objects.order_by("-seq").first()
    anchors = {a.collectivite_id: a for a in JournalAnchor.objects.all()}
    assert anchors[tenant_b.pk].seq == head.seq and anchors[tenant_b.pk].hash == head.hash
    assert anchors[tenant_a.pk].seq >= 3
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('public.audit_journalanchor')")
        assert cursor.fetchone()[0] is not None
        cursor.execute("SELECT to_regclass('c_test_a.audit_journalanchor')")
        assert cursor.fetchone()[0] is None


RACERS = 6


def _race(tenant):
    barrier = threading.Barrier(RACERS)
    errors = []

    def run(n):
        try:
            connection.set_tenant(tenant)
            barrier.wait(timeout=10)
            with transaction.atomic():
                journal_append(action="ouverture", payload={"racer": n})
        except Exception as error:  # reported by the assertion below
            errors.append(repr(error))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(RACERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []


@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_keep_a_single_chain(tenant_a):
    # First round: racing for the anchor's creation too (none after the previous flush).
    with in_tenant(tenant_a):
        before = JournalEntry.objects.count()
    _race(tenant_a)
    _race(tenant_a)
    with in_tenant(tenant_a):
        entries = list(JournalEntry.objects.order_by("seq"))
        assert len(entries) == before + 2 * RACERS
        assert [e.seq for e in entries] == list(range(1, len(entries) + 1))
        for previous, entry in zip(entries, entries[1:], strict=False):
            assert entry.prev_hash == previous.hash  # no fork: each links to the one before
        assert journal_verify() == []
        anchor = JournalAnchor.objects.get(pk=tenant_a.pk)
        assert (anchor.seq, anchor.hash) == (entries[-1].seq, entries[-1].hash)


def test_migration_anchors_journals_that_predate_the_anchors(tenant_a):
    import importlib
    from types import SimpleNamespace

    from django.apps import apps

    migration = importlib.import_module("portal.audit.migrations.0002_anchor_forward_only")
    with in_tenant(tenant_a):
        entries = _append(2)
        _tamper(f"DELETE FROM audit_journalanchor WHERE collectivite_id = {tenant_a.pk}")
        assert journal_verify() == [
            f"ancre du journal absente (dernière entrée : n°{entries[-1].seq})"
        ]
    migration.anchor_existing_journals(apps, SimpleNamespace(connection=connection))
    anchor = JournalAnchor.objects.get(pk=tenant_a.pk)
    assert (anchor.seq, anchor.hash) == (entries[-1].seq, entries[-1].hash)
    with in_tenant(tenant_a):
        assert journal_verify() == []


def test_anchor_goes_only_with_its_collectivite(db):
    from tenants.services import collectivite_create

    # Created inside the test's transaction: the schema goes away with its rollback.
    tenant = collectivite_create(name="Commune supprimée", slug="test-suppr", insee_code="67482")
    with in_tenant(tenant):
        _append(1)
    with pytest.raises(DatabaseError, match="forward-only"):
        with transaction.atomic():
            JournalAnchor.objects.filter(pk=tenant.pk).delete()
    tenant.delete()
    assert not JournalAnchor.objects.filter(pk=tenant.pk).exists()
