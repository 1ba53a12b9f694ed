"""New tenants are cloned from the template schema that migrate_schemas keeps current."""

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django_tenants.utils import schema_exists

from tenants.models import Collectivite, Domain
from tenants.services import collectivite_create


def _applied_migrations(schema: str) -> set[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT app, name FROM "{schema}".django_migrations')
        return set(cursor.fetchall())


def test_new_tenant_is_a_clone_of_the_template(operator):
    commune = collectivite_create(name="Névache", slug="nevache", insee_code="05093")
    assert schema_exists("c_nevache")
    assert _applied_migrations("c_nevache") == _applied_migrations("tenant_template")
    assert Domain.objects.get(tenant=commune).domain == "nevache.localhost"


def test_migrate_schemas_keeps_the_template_current(operator):
    expected = _applied_migrations("tenant_template")
    with connection.cursor() as cursor:
        cursor.execute("DROP SCHEMA tenant_template CASCADE")
    call_command("migrate_schemas", "--tenant", verbosity=0)
    assert _applied_migrations("tenant_template") == expected
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('tenant_template.jobs_jobrun')")
        assert cursor.fetchone()[0] is not None


def test_a_failed_creation_leaves_nothing_behind(operator):
    collectivite_create(name="Cervières", slug="cervieres", insee_code="05027")
    with pytest.raises(ValidationError):
        # Same slug's domain already exists: refused after the schema was made.
        collectivite_create(name="Autre", slug="autre", extra_domains=("cervieres.localhost",))
    assert not Collectivite.objects.filter(slug="autre").exists()
    assert not schema_exists("c_autre")


def test_bad_slug_is_refused_in_french(operator):
    with pytest.raises(ValidationError) as error:
        collectivite_create(name="Mauvais", slug="Pas Bon!")
    assert "lettres minuscules" in str(error.value)
