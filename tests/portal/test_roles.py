"""Platform roles on the operator host, memberships on member hosts."""

import pytest

from tenants.models import Membership
from tests.conftest import staff_login


def test_anonymous_is_sent_to_login_from_the_back_office(client_a):
    response = client_a.get("/gestion/")
    assert response.status_code == 302
    assert response["Location"].startswith("/comptes/connexion/?next=/gestion/")


def test_account_without_membership_gets_403(client_a, user_factory):
    client_a.force_login(user_factory())
    response = client_a.get("/gestion/")
    assert response.status_code == 403
    assert "Accès refusé" in response.content.decode()


def test_agent_of_a_reaches_a_but_not_b(client_a, client_b, tenant_a, member_factory):
    agent = member_factory(tenant_a)
    client_a.force_login(agent)
    client_b.force_login(agent)
    assert client_a.get("/gestion/").status_code == 200
    assert client_b.get("/gestion/").status_code == 403


def test_deactivated_membership_loses_access(client_a, tenant_a, member_factory):
    agent = member_factory(tenant_a)
    Membership.objects.filter(user=agent).update(is_active=False)
    client_a.force_login(agent)
    assert client_a.get("/gestion/").status_code == 403


def test_suspended_commune_shows_its_suspension_page_to_agents(client_a, tenant_a, member_factory):
    agent = member_factory(tenant_a)
    tenant_a.status = tenant_a.Status.SUSPENDED
    tenant_a.save(update_fields=["status"])
    client_a.force_login(agent)
    response = client_a.get("/gestion/")
    assert response.status_code == 403
    assert "suspendu" in response.content.decode()
    # Citizens still see the public pages.
    assert client_a.get("/").status_code == 200


@pytest.mark.parametrize(
    ("flags", "expected"),
    [({"is_platform_admin": True}, 200), ({"is_finance": True}, 403), ({}, 403)],
)
def test_operator_dashboard_needs_the_platform_admin_role(
    operator_client, user_factory, flags, expected
):
    staff_login(operator_client, user_factory(**flags))
    assert operator_client.get("/operateur/").status_code == expected
