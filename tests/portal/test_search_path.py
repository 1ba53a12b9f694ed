"""TENANT_LIMIT_SET_CALLS (issue 11 §4): django-tenants issues `SET search_path` once per
schema switch instead of before every query. That is only safe if the path it believes set
is the one PostgreSQL uses: a ROLLBACK (or ROLLBACK TO SAVEPOINT) undoes a SET made inside
the transaction, and the next query must not run in the schema the rollback restored.
These tests ask the server itself (SHOW search_path) after each kind of rollback."""

import pytest
from django.conf import settings
from django.db import connection, transaction

from sve.models import Form

pytestmark = pytest.mark.django_db(transaction=True)


class Boom(Exception):
    pass


def server_schema() -> str:
    """The first schema of the search_path PostgreSQL really uses now (through Django's
    cursor, so that django-tenants re-issues its SET first if it forgot it)."""
    with connection.cursor() as cursor:
        cursor.execute("SHOW search_path")
        return cursor.fetchone()[0].split(",")[0].strip().strip('"')


def test_the_setting_is_on():
    assert settings.TENANT_LIMIT_SET_CALLS is True


def test_one_set_per_switch_not_per_query(tenant_a, django_assert_num_queries):
    connection.set_tenant(tenant_a)
    with django_assert_num_queries(3) as captured:  # SET + two reads
        Form.objects.count()
        Form.objects.count()
    assert captured.captured_queries[0]["sql"].startswith("SET search_path")


def test_a_rolled_back_switch_does_not_leave_the_other_commune_active(tenant_a, tenant_b):
    connection.set_tenant(tenant_b)
    assert server_schema() == tenant_b.schema_name  # committed: b's path outside
    with pytest.raises(Boom), transaction.atomic():
        connection.set_tenant(tenant_a)
        Form.objects.count()  # SET a's path inside the transaction
        raise Boom  # ROLLBACK: PostgreSQL goes back to b's path
    # The connection still names a: the next query must run in a, not in b.
    assert connection.schema_name == tenant_a.schema_name
    assert server_schema() == tenant_a.schema_name


def test_a_rolled_back_savepoint_does_not_leave_the_other_commune_active(tenant_a, tenant_b):
    with transaction.atomic():
        connection.set_tenant(tenant_a)
        assert server_schema() == tenant_a.schema_name
        with pytest.raises(Boom), transaction.atomic():  # SAVEPOINT ... ROLLBACK TO
            connection.set_tenant(tenant_b)
            assert server_schema() == tenant_b.schema_name
            raise Boom
        # django-tenants still names tenant_b; PostgreSQL went back to tenant_a's path.
        assert connection.schema_name == tenant_b.schema_name
        assert server_schema() == tenant_b.schema_name
