"""The SVE API: same services, same rules, same isolation as the pages."""

import pytest
import yaml
from rest_framework.test import APIClient

from sve.models import Request, Status
from tests.conftest import in_tenant
from tests.sve.conftest import PNG, enabled_form, submit

pytestmark = pytest.mark.django_db

IDENTITY = {
    "last_name": "Api",
    "first_name": "Cli",
    "postal_address": "3 rue",
    "email": "api@example.fr",
}


def api(host="test-a.localhost", user=None):
    client = APIClient(HTTP_HOST=host)
    if user is not None:
        client.force_authenticate(user)
    return client


def test_list_forms_and_submit_json(tenant_a, form_a):
    forms = api().get("/api/sve/formulaires/").json()
    assert [f["slug"] for f in forms] == ["demande-test"]
    assert forms[0]["regime"] == "sva" and forms[0]["fields"][0]["name"] == "objet"
    response = api().post(
        "/api/sve/formulaires/demande-test/demandes/",
        {**IDENTITY, "data": {"objet": "Par l'API"}},
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "submitted" and body["reference"].startswith("20")
    status = api().get(f"/api/sve/demandes/{body['id']}/?token={body['access_token']}")
    assert status.status_code == 200 and "access_token" not in status.json()
    assert api().get(f"/api/sve/demandes/{body['id']}/").status_code == 404


def test_submit_multipart_with_file_checked_by_content(tenant_a, form_a):
    from django.core.files.uploadedfile import SimpleUploadedFile

    bad = api().post(
        "/api/sve/formulaires/demande-test/demandes/",
        {**IDENTITY, "objet": "x", "piece": SimpleUploadedFile("x.pdf", PNG, "application/pdf")},
        format="multipart",
    )
    assert bad.status_code == 400
    assert "ne correspond pas à son contenu" in bad.json()["errors"]["piece"][0]
    good = api().post(
        "/api/sve/formulaires/demande-test/demandes/",
        {**IDENTITY, "objet": "x", "piece": SimpleUploadedFile("x.png", PNG, "image/png")},
        format="multipart",
    )
    assert good.status_code == 201
    missing = api().post(
        "/api/sve/formulaires/demande-test/demandes/",
        {"last_name": "A", "data": {"objet": "x"}},
        format="json",
    )
    assert missing.status_code == 400 and "email" in missing.json()["errors"]
    with in_tenant(tenant_a):
        assert Request.objects.count() == 1


def test_agent_actions_follow_the_same_rules(tenant_a, agent_a, user_factory):
    with in_tenant(tenant_a):
        req = submit(enabled_form(), user=None)
    owner_view = api(user=user_factory()).get(f"/api/sve/demandes/{req.pk}/")
    assert owner_view.status_code == 404
    assert (
        api(user=user_factory())
        .post(f"/api/sve/demandes/{req.pk}/qualifier/", {"regime": "sva"})
        .status_code
        == 404
    )
    agent = api(user=agent_a)
    early = agent.post(f"/api/sve/demandes/{req.pk}/decider/", {"decision": "accept"})
    assert early.status_code == 409 and "impossible" in early.json()["detail"]
    ok = agent.post(f"/api/sve/demandes/{req.pk}/qualifier/", {"regime": "svr"})
    assert ok.status_code == 200 and ok.json()["status"] == "acknowledged"
    bad_due = agent.post(
        f"/api/sve/demandes/{req.pk}/pieces/", {"items": "RIB", "due_on": "2000-01-01"}
    )
    assert bad_due.status_code == 400 and "postérieure" in bad_due.json()["detail"]
    refusal = agent.post(f"/api/sve/demandes/{req.pk}/decider/", {"decision": "reject"})
    assert refusal.status_code == 400 and "motivé" in refusal.json()["detail"]
    done = agent.post(
        f"/api/sve/demandes/{req.pk}/decider/", {"decision": "reject", "reasons": "Hors délai"}
    )
    assert done.json()["status"] == Status.REJECTED
    assert agent.get(f"/api/sve/demandes/{req.pk}/").json()["decision_reasons"] == "Hors délai"


def test_owner_with_account_reads_status(tenant_a, form_a, user_factory):
    citizen = user_factory()
    with in_tenant(tenant_a):
        req = submit(form_a, user=citizen)
    assert api(user=citizen).get(f"/api/sve/demandes/{req.pk}/").json()["status"] == "submitted"


def test_api_isolation_agent_of_a_gets_404_on_b(tenant_a, tenant_b, agent_a):
    with in_tenant(tenant_b):
        form = enabled_form()
        for _ in range(3):
            req_b = submit(form)
    for host in ("test-a.localhost", "test-b.localhost"):
        client = api(host, user=agent_a)
        assert client.get(f"/api/sve/demandes/{req_b.pk}/").status_code == 404
        assert (
            client.post(f"/api/sve/demandes/{req_b.pk}/qualifier/", {"regime": "sva"}).status_code
            == 404
        )
    with in_tenant(tenant_b):
        req_b.refresh_from_db()
        assert req_b.status == Status.SUBMITTED


def test_schema_describes_the_sve_api(tenant_a):
    response = api().get("/api/schema/")
    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
    paths = schema["paths"]
    for path in (
        "/api/sve/formulaires/",
        "/api/sve/formulaires/{slug}/demandes/",
        "/api/sve/demandes/{id}/",
        "/api/sve/demandes/{id}/qualifier/",
        "/api/sve/demandes/{id}/pieces/",
        "/api/sve/demandes/{id}/decider/",
    ):
        assert path in paths, sorted(paths)
