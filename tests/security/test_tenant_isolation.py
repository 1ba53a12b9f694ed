"""A row written in one tenant's schema is invisible from every other."""

from django.db import connection

from portal.jobs.models import JobRun
from sve.models import Request
from tests.conftest import in_tenant


def test_rows_of_one_tenant_are_invisible_from_another(tenant_a, tenant_b):
    with in_tenant(tenant_a):
        JobRun.objects.create(job="only-in-a")
    with in_tenant(tenant_b):
        assert not JobRun.objects.filter(job="only-in-a").exists()
        JobRun.objects.create(job="only-in-b")
    with in_tenant(tenant_a):
        assert list(JobRun.objects.values_list("job", flat=True)) == ["only-in-a"]


def test_tenant_tables_do_not_exist_in_the_public_schema(tenant_a):
    # (JobRun is in both: public-schema jobs record their runs in the public schema.)
    connection.set_schema_to_public()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_schema FROM information_schema.tables WHERE table_name = %s",
            [Request._meta.db_table],
        )
        schemas = {row[0] for row in cursor.fetchall()}
    assert "public" not in schemas
    assert {tenant_a.schema_name, "tenant_template"} <= schemas
