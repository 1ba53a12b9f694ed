"""The journal: append-only in the database, hash-chained, checked by verify_journal."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from sve.journal import journal_append, journal_verify
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
        assert journal_verify() == [f"demande {reference} : entrée de dépôt manquante"]
