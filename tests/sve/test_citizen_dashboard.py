""" "Mes demandes" reads only the communes where the citizen has filed something."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.conftest import PASSWORD, in_tenant, schemas_read
from tests.sve.conftest import enabled_form, submit

pytestmark = pytest.mark.django_db


def _dashboard(client):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/demarches/mes-demandes/")
    assert response.status_code == 200
    return response.content.decode(), ctx.captured_queries


def test_members_where_the_citizen_has_nothing_are_not_read(
    client_a, tenant_a, tenant_b, idle_members, user_factory
):
    citizen = user_factory()
    assert client_a.login(email=citizen.email, password=PASSWORD)
    with in_tenant(tenant_b):
        form_b = enabled_form()
        submit(form_b, user=citizen)
    body, queries = _dashboard(client_a)
    assert "Commune B" in body and "test-b.localhost" in body
    everyone = [tenant_a, tenant_b, *idle_members]
    # The page is served by A's site (its search_path) and reads B, where the request is.
    assert schemas_read(queries, everyone) == {"c_test_a", "c_test_b"}

    with in_tenant(idle_members[1]):
        submit(enabled_form(), user=user_factory())  # someone else's request there
    with in_tenant(tenant_a):
        submit(enabled_form(), user=citizen)
    body, more = _dashboard(client_a)
    assert "Commune A" in body and "Commune B" in body
    assert schemas_read(more, everyone) == {"c_test_a", "c_test_b"}
    assert len(more) == len(queries)  # one commune more, same statements


def test_a_citizen_with_nothing_anywhere_reads_no_member(
    client_a, tenant_a, idle_members, user_factory
):
    citizen = user_factory()
    assert client_a.login(email=citizen.email, password=PASSWORD)
    body, queries = _dashboard(client_a)
    assert schemas_read(queries, [*idle_members]) == set()
    # (The host's lookup names the versioned tables, sve_request among them: not a read.)
    reads = [q["sql"] for q in queries if "tenants_domain" not in q["sql"]]
    assert not any("UNION ALL" in sql or "sve_request" in sql for sql in reads)
