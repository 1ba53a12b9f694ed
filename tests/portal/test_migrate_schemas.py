"""migrate_schemas over many schemas: up-to-date schemas skipped, the template first, and a
run that failed in one schema resumed by running it again."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.utils import ProgrammingError
from django_tenants.signals import schema_migrated

from portal.management.commands.migrate_schemas import schemas_behind

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = ("rendezvous", "0002_appointment_expired_status")
AFTER = ("rendezvous", "0003_appointment_replaces")


@pytest.fixture
def members(tenant_a):
    from tenants.services import collectivite_create

    made = [collectivite_create(name=f"Migration {n}", slug=f"test-mig-{n}") for n in range(3)]
    yield made
    with connection.cursor() as cursor:
        for member in made:
            cursor.execute(f'DROP SCHEMA IF EXISTS "{member.schema_name}" CASCADE')


@pytest.fixture
def migrated():
    """The schemas migrate_schemas actually ran Django's migrate in, in order."""
    seen = []

    def record(sender, schema_name, **kwargs):
        seen.append(schema_name)

    schema_migrated.connect(record, weak=False)
    yield seen
    schema_migrated.disconnect(record)


def _has(schema: str, key) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            f'SELECT 1 FROM "{schema}".django_migrations WHERE app = %s AND name = %s', key
        )
        return cursor.fetchone() is not None


def _migrate_tenants(**options):
    out, err = StringIO(), StringIO()
    call_command(
        "migrate_schemas", tenant=True, interactive=False, stdout=out, stderr=err, **options
    )
    connection.set_schema_to_public()
    return out.getvalue() + err.getvalue()


def test_nothing_to_do_runs_migrate_in_the_template_only(members, migrated):
    assert schemas_behind([m.schema_name for m in members]) == []
    output = _migrate_tenants(verbosity=1)
    assert migrated == ["tenant_template"]
    assert "0 à migrer" in output


def test_a_migration_failing_in_one_schema_is_resumed_by_running_again(members, migrated):
    first, broken, last = (m.schema_name for m in members)
    for schema in (first, broken, last):  # three schemas one migration behind
        call_command("migrate_schemas", *BEFORE, schema_name=schema, interactive=False, verbosity=0)
        assert not _has(schema, AFTER)
    connection.set_schema_to_public()
    assert schemas_behind([first, broken, last, "c_test_a"]) == [first, broken, last]
    with connection.cursor() as cursor:  # what makes the migration fail in one schema only
        cursor.execute(f'ALTER TABLE "{broken}".rendezvous_appointment ADD replaces_id bigint')

    migrated.clear()
    with pytest.raises(ProgrammingError):
        _migrate_tenants(verbosity=0)
    connection.close()
    # The template and the schema before are migrated; the failing one stayed at its
    # previous migration (the migration's transaction rolled back); the next one untouched.
    assert migrated == ["tenant_template", first]
    assert _has(first, AFTER) and not _has(broken, AFTER) and not _has(last, AFTER)

    with connection.cursor() as cursor:
        cursor.execute(f'ALTER TABLE "{broken}".rendezvous_appointment DROP replaces_id')
    migrated.clear()
    output = _migrate_tenants(verbosity=1)
    assert migrated == ["tenant_template", broken, last]  # the others are skipped
    assert all(_has(schema, AFTER) for schema in (first, broken, last))
    assert schemas_behind([first, broken, last]) == []
    assert "2 à migrer" in output
