"""Every transition: allowed only from the right statuses, and only to agents."""

from datetime import timedelta

import pytest
from django.utils import timezone

from sve import services
from sve.models import Request, Status
from sve.services import SveError
from tests.conftest import in_tenant
from tests.sve.conftest import enabled_form, png, submit

pytestmark = pytest.mark.django_db

DUE = timezone.localdate() + timedelta(days=20)

ACTIONS = {
    "qualify": (
        {Status.SUBMITTED},
        lambda r, a: services.request_qualify(request=r, acting_user=a, regime="sva"),
    ),
    "ask_pieces": (
        {Status.ACKNOWLEDGED, Status.INSTRUCTION},
        lambda r, a: services.request_ask_pieces(request=r, acting_user=a, items="RIB", due_on=DUE),
    ),
    "start_instruction": (
        {Status.ACKNOWLEDGED},
        lambda r, a: services.request_start_instruction(request=r, acting_user=a),
    ),
    "decide": (
        {Status.ACKNOWLEDGED, Status.AWAITING_PIECES, Status.INSTRUCTION},
        lambda r, a: services.request_decide(request=r, acting_user=a, accept=True, reasons=""),
    ),
    "close": (
        {Status.SUBMITTED, Status.ACKNOWLEDGED, Status.AWAITING_PIECES, Status.INSTRUCTION},
        lambda r, a: services.request_close(request=r, acting_user=a),
    ),
}
TARGETS = {
    "qualify": Status.ACKNOWLEDGED,
    "ask_pieces": Status.AWAITING_PIECES,
    "start_instruction": Status.INSTRUCTION,
    "decide": Status.ACCEPTED,
    "close": Status.CLOSED,
}
FILED = [s for s in Status.values if s != Status.DRAFT]


@pytest.mark.parametrize("action", list(ACTIONS))
def test_transitions_only_from_allowed_statuses(tenant_a, agent_a, action):
    allowed, call = ACTIONS[action]
    with in_tenant(tenant_a):
        form = enabled_form()
        for status in FILED:
            req = submit(form)
            Request.objects.filter(pk=req.pk).update(status=status)
            req.refresh_from_db()
            if status in allowed:
                call(req, agent_a)
                req.refresh_from_db()
                assert req.status == TARGETS[action], (action, status)
            else:
                with pytest.raises(SveError) as refused:
                    call(req, agent_a)
                assert refused.value.code == "bad_status", (action, status)
                req.refresh_from_db()
                assert req.status == status


@pytest.mark.parametrize("action", list(ACTIONS))
def test_agent_actions_refused_to_citizens_and_other_communes_agents(
    tenant_a, agent_b, user_factory, action
):
    _, call = ACTIONS[action]
    with in_tenant(tenant_a):
        req = submit(enabled_form())
        Request.objects.filter(pk=req.pk).update(status=Status.ACKNOWLEDGED)
        req.refresh_from_db()
        for actor in (None, user_factory(), agent_b):
            with pytest.raises(SveError) as refused:
                call(req, actor)
            assert refused.value.code == "forbidden"
        req.refresh_from_db()
        assert req.status == Status.ACKNOWLEDGED


def test_citizen_completes_only_while_awaiting_pieces(tenant_a):
    with in_tenant(tenant_a):
        form = enabled_form()
        for status in FILED:
            req = submit(form)
            Request.objects.filter(pk=req.pk).update(status=status)
            req.refresh_from_db()
            if status == Status.AWAITING_PIECES:
                services.request_complete(
                    request=req, acting_user=None, token=req.access_token, files={"p": png()}
                )
                req.refresh_from_db()
                assert req.status == Status.INSTRUCTION
            else:
                with pytest.raises(SveError):
                    services.request_complete(
                        request=req, acting_user=None, token=req.access_token, files={"p": png()}
                    )


def test_bulk_qualify_is_all_or_nothing(client_a, tenant_a, agent_a):
    from tests.conftest import PASSWORD

    with in_tenant(tenant_a):
        form = enabled_form()
        fresh, done = submit(form), submit(form)
        services.request_qualify(request=done, acting_user=agent_a, regime="svr")
    client_a.login(email=agent_a.email, password=PASSWORD)
    response = client_a.post(
        "/demarches/gestion/lot/",
        {"ids": [fresh.pk, done.pk], "action": "qualify_sva"},
        follow=True,
    )
    assert "impossible" in response.content.decode()
    with in_tenant(tenant_a):
        fresh.refresh_from_db()
        assert fresh.status == Status.SUBMITTED


def test_only_the_commune_admin_configures_forms(tenant_a, agent_a, admin_a):
    from sve.models import Form

    with in_tenant(tenant_a):
        with pytest.raises(SveError, match="administrateurs"):
            services.form_template_enable(code="contact", acting_user=agent_a)
        form = services.form_template_enable(code="contact", acting_user=admin_a)
        with pytest.raises(SveError, match="administrateurs"):
            services.form_version_publish(form=form, acting_user=agent_a, title="Autre")
        assert Form.objects.get().current_version.number == 1
