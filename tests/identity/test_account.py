"""The account page: e-mail change by link, password change, sessions, GDPR copy, deletion."""

import json
import re
import time

import pytest
from django.contrib.sessions.models import Session
from django.core import mail
from django.test import Client

from identity.models import PersonalDataExport, SessionRecord
from portal.accounts.models import User
from tests.conftest import PASSWORD, in_tenant
from tests.identity.conftest import text
from tests.sve.conftest import enabled_form, submit


def _signed_in_twice(user):
    """The same account signed in on two communes."""
    a, b = Client(HTTP_HOST="test-a.localhost"), Client(HTTP_HOST="test-b.localhost")
    for client in (a, b):
        client.post("/comptes/connexion/", {"username": user.email, "password": PASSWORD})
        assert client.session["_auth_user_id"] == str(user.pk)
    return a, b


def test_a_password_change_ends_the_other_sessions(tenant_a, tenant_b, user_factory):
    user = user_factory()
    a, b = _signed_in_twice(user)
    new = "un-autre-mot-de-passe-long-77"
    response = a.post(
        "/comptes/mon-compte/mot-de-passe/",
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert response.status_code == 302
    assert a.session["_auth_user_id"] == str(user.pk)
    assert "_auth_user_id" not in b.session
    assert SessionRecord.objects.filter(user=user).count() == 1
    user.refresh_from_db()
    assert user.check_password(new)


def test_log_out_everywhere(tenant_a, tenant_b, user_factory):
    user = user_factory()
    a, b = _signed_in_twice(user)
    page = text(a.get("/comptes/mon-compte/"))
    assert page.count("test-a.localhost") >= 1 and "test-b.localhost" in page
    a.post("/comptes/mon-compte/sessions/fin/")
    assert "_auth_user_id" not in a.session and "_auth_user_id" not in b.session
    assert not SessionRecord.objects.filter(user=user).exists()


def test_the_account_page_query_count_does_not_grow_with_sessions(
    tenant_a, user_factory, django_assert_num_queries
):
    user = user_factory()
    client = Client(HTTP_HOST="test-a.localhost")
    client.post("/comptes/connexion/", {"username": user.email, "password": PASSWORD})

    def count() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/comptes/mon-compte/").status_code == 200
        return len(ctx.captured_queries)

    few = count()
    for _ in range(5):
        Client(HTTP_HOST="test-a.localhost").post(
            "/comptes/connexion/", {"username": user.email, "password": PASSWORD}
        )
    with django_assert_num_queries(few):
        client.get("/comptes/mon-compte/")


def test_an_email_change_waits_for_the_link(client_a, user_factory, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.PORTAL_PORT = ""  # the link's port is the configured one (issue 22)
    user = user_factory(email="avant@example.fr")
    client_a.force_login(user)
    client_a.post("/comptes/mon-compte/adresse/", {"email": "Apres@Example.fr"})
    user.refresh_from_db()
    assert user.email == "avant@example.fr"
    assert mail.outbox[-1].to == ["apres@example.fr"]
    link = re.search(
        r"http://test-a\.localhost(/comptes/mon-compte/adresse/\S+/)", mail.outbox[-1].body
    )
    # The link works only for the account that asked.
    other = Client(HTTP_HOST="test-a.localhost")
    other.force_login(user_factory())
    other.get(link.group(1))
    user.refresh_from_db()
    assert user.email == "avant@example.fr"
    client_a.get(link.group(1))
    user.refresh_from_db()
    assert user.email == "apres@example.fr"


def test_an_email_already_used_is_refused(client_a, user_factory, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    user_factory(email="pris@example.fr")
    client_a.force_login(user_factory())
    response = client_a.post("/comptes/mon-compte/adresse/", {"email": "pris@example.fr"})
    assert "déjà utilisée par un autre compte" in text(response)
    assert not mail.outbox


def test_deleting_the_account_keeps_filed_requests_with_the_commune(
    tenant_a, client_a, user_factory
):
    user = user_factory()
    with in_tenant(tenant_a):
        filed = submit(enabled_form(), user=user)
    client_a.force_login(user)
    warning = text(client_a.get("/comptes/mon-compte/suppression/"))
    assert "restent auprès des communes" in warning
    refused = client_a.post("/comptes/mon-compte/suppression/", {})
    assert refused.status_code == 200 and User.objects.filter(pk=user.pk).exists()
    client_a.post("/comptes/mon-compte/suppression/", {"confirm": "on"})
    assert not User.objects.filter(pk=user.pk).exists()
    assert "_auth_user_id" not in client_a.session
    from sve.models import Request

    with in_tenant(tenant_a):
        kept = Request.objects.get(pk=filed.pk)
        assert kept.user_id is None and kept.email == filed.email
    assert not Session.objects.filter(session_key__in=[]).exists()


@pytest.mark.django_db(transaction=True)
def test_the_gdpr_copy_is_gathered_commune_by_commune_in_the_worker(
    tenant_a, tenant_b, user_factory, worker_process
):
    user = user_factory()
    with in_tenant(tenant_a):
        filed = submit(enabled_form(), user=user)
    client = Client(HTTP_HOST="test-b.localhost")
    client.force_login(user)
    client.post("/comptes/mon-compte/donnees/")
    export = PersonalDataExport.objects.get(user=user)
    deadline = time.monotonic() + 60
    while export.completed_at is None and time.monotonic() < deadline:
        time.sleep(0.3)
        export.refresh_from_db()
    assert export.completed_at, "the worker did not build the export"
    response = client.get(f"/comptes/mon-compte/donnees/{export.pk}/")
    assert response["Content-Disposition"].startswith("attachment")
    data = json.loads(response.content)
    assert data["compte"]["adresse_electronique"] == user.email
    assert list(data["communes"]) == ["Commune A"]
    assert data["communes"]["Commune A"]["demarches"][0]["reference"] == filed.reference
    # Another account cannot download it.
    intruder = Client(HTTP_HOST="test-b.localhost")
    intruder.force_login(user_factory())
    assert intruder.get(f"/comptes/mon-compte/donnees/{export.pk}/").status_code == 404
