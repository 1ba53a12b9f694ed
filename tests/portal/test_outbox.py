"""Without EMAIL_URL every message is stored; platform admins read it in the back office."""

import pytest
from django.core.mail import EmailMessage

from portal.outbox.models import OutboxMessage


@pytest.fixture
def outbox_backend(settings):
    settings.EMAIL_BACKEND = "portal.outbox.backend.OutboxEmailBackend"


# Tenant by host, user, count and page of messages, the communes' names, with one SET search_path per schema switch
# (TENANT_LIMIT_SET_CALLS; the session comes from the cache: SESSION_ENGINE cached_db).
# Issue 22: + the staff-access gate's look-up of the session's second-factor device (kept in
# memory outside a test's transaction).
QUERIES_OUTBOX_LIST = 8


def _send_with_attachment():
    message = EmailMessage("Votre accusé", "Bonjour", "portail@example.fr", ["usager@example.fr"])
    message.attach("accuse.pdf", b"%PDF-1.7 test", "application/pdf")
    message.send()


def test_sent_mail_is_stored_with_its_attachments(outbox_backend, tenant_a):
    from tests.conftest import in_tenant

    with in_tenant(tenant_a):
        _send_with_attachment()
    stored = OutboxMessage.objects.get()
    assert stored.to == ["usager@example.fr"]
    assert stored.schema_name == tenant_a.schema_name
    attachment = stored.attachments.get()
    assert (attachment.filename, bytes(attachment.content)) == ("accuse.pdf", b"%PDF-1.7 test")


def test_outbox_shows_the_communes_name_not_its_schema(
    outbox_backend, operator_client, user_factory, tenant_a
):
    from tests.conftest import in_tenant

    with in_tenant(tenant_a):
        _send_with_attachment()
    stored = OutboxMessage.objects.get()
    operator_client.force_login(user_factory(is_platform_admin=True))
    for url in ("/operateur/courriels/", f"/operateur/courriels/{stored.pk}/"):
        html = operator_client.get(url).content.decode()
        assert "<td>Commune A</td>" in html or "<dd>Commune A</dd>" in html
        assert tenant_a.schema_name not in html


def test_platform_admin_reads_mails_and_downloads_attachments(
    outbox_backend, operator_client, user_factory
):
    _send_with_attachment()
    stored = OutboxMessage.objects.get()
    operator_client.force_login(user_factory(is_platform_admin=True))

    listing = operator_client.get("/operateur/courriels/")
    assert "Votre accusé" in listing.content.decode()
    detail = operator_client.get(f"/operateur/courriels/{stored.pk}/")
    assert "accuse.pdf" in detail.content.decode()
    attachment = stored.attachments.get()
    download = operator_client.get(
        f"/operateur/courriels/{stored.pk}/pieces-jointes/{attachment.pk}/"
    )
    assert download.content == b"%PDF-1.7 test"
    assert download["Content-Type"] == "application/pdf"


@pytest.mark.parametrize("count", [3, 60])
def test_outbox_list_query_count_does_not_grow(
    outbox_backend, operator_client, user_factory, django_assert_num_queries, count
):
    for _ in range(count):
        _send_with_attachment()
    operator_client.force_login(user_factory(is_platform_admin=True))
    operator_client.get("/operateur/courriels/")  # steady state: the session is cached
    with django_assert_num_queries(QUERIES_OUTBOX_LIST):
        assert operator_client.get("/operateur/courriels/").status_code == 200


def test_others_cannot_read_the_outbox(outbox_backend, operator_client, client_a, user_factory):
    _send_with_attachment()
    operator_client.force_login(user_factory(is_finance=True))
    assert operator_client.get("/operateur/courriels/").status_code == 403
    client_a.force_login(user_factory(is_platform_admin=True))
    assert client_a.get("/operateur/courriels/").status_code == 404
