"""Optional enrolment from the account page, and a commune that requires it of its staff."""

from django_otp.plugins.otp_totp.models import TOTPDevice

from tenants.models import CollectiviteEvent, Membership
from tests.conftest import PASSWORD, staff_login
from tests.identity.conftest import text, totp_code, totp_enrolled


def _enrol(client):
    page = text(client.get("/comptes/mon-compte/double-authentification/"))
    assert "<svg" in page
    device = TOTPDevice.objects.get(confirmed=False)
    response = client.post(
        "/comptes/mon-compte/double-authentification/", {"code": totp_code(device)}
    )
    assert "Vos codes de secours" in text(response)
    return device


def test_an_agent_may_enrol_and_is_then_asked_for_a_code_at_each_sign_in(
    client_a, operator_client, tenant_a, member_factory
):
    agent = member_factory(tenant_a)
    client_a.force_login(agent)
    _enrol(client_a)
    response = operator_client.post(
        "/comptes/connexion/", {"username": agent.email, "password": PASSWORD, "next": "/"}
    )
    assert response["Location"] == "/comptes/double-authentification/"


def test_a_commune_that_requires_it_sends_staff_without_it_to_enrol(
    client_a, tenant_a, member_factory
):
    admin = member_factory(tenant_a, role=Membership.Role.ADMIN)
    client_a.force_login(admin)
    assert client_a.get("/gestion/").status_code == 200
    client_a.post("/comptes/securite-commune/", {"required": "on"})
    tenant_a.refresh_from_db()
    assert tenant_a.staff_second_factor_required
    assert CollectiviteEvent.objects.filter(
        collectivite=tenant_a, action=CollectiviteEvent.Action.SECURITY, actor=admin
    ).exists()
    refused = client_a.get("/gestion/")
    assert refused.status_code == 403
    assert "exige la double authentification de ses agents" in text(refused)
    _enrol(client_a)
    assert client_a.get("/gestion/").status_code == 200
    tenant_a.staff_second_factor_required = False
    tenant_a.save()


def test_an_agent_cannot_change_the_commune_setting(client_a, tenant_a, member_factory):
    client_a.force_login(member_factory(tenant_a))
    assert client_a.post("/comptes/securite-commune/", {"required": "on"}).status_code == 403
    tenant_a.refresh_from_db()
    assert not tenant_a.staff_second_factor_required


def test_a_platform_admin_cannot_remove_the_second_factor(operator_client, user_factory):
    admin = user_factory(is_platform_admin=True)
    totp_enrolled(admin)
    staff_login(operator_client, admin)
    response = operator_client.post(
        "/comptes/mon-compte/double-authentification/desactiver/", follow=True
    )
    assert "obligatoire pour les administrateurs de la plateforme" in text(response)
    assert TOTPDevice.objects.filter(user=admin, confirmed=True).exists()


def test_a_citizen_may_remove_it(client_a, user_factory):
    citizen = user_factory()
    totp_enrolled(citizen)
    staff_login(client_a, citizen)  # a session that passed the second factor
    client_a.post("/comptes/mon-compte/double-authentification/desactiver/")
    assert not TOTPDevice.objects.filter(user=citizen).exists()
