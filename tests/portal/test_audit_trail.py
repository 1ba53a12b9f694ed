"""The audit trail (issue 22): one store, a chain per collectivité, verified; the pages of
platform admins and of each commune's admins (filters, CSV, pinned queries, isolation)."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.test import Client

from portal.audit.models import HistoryEntry
from portal.audit.trail import SYSTEM_JOB, audit_record, stream_of
from tenants.models import Membership
from tests.conftest import PASSWORD, in_tenant

pytestmark = pytest.mark.django_db


@pytest.fixture
def platform_client(operator, user_factory):
    client = Client(HTTP_HOST="localhost")
    client.force_login(user_factory(is_platform_admin=True))
    return client


@pytest.fixture
def commune_admin(tenant_a, member_factory):
    return member_factory(tenant_a, role=Membership.Role.ADMIN)


@pytest.fixture
def commune_admin_client(client_a, commune_admin):
    client_a.force_login(commune_admin)
    return client_a


def _record(collectivite_id, n=1, summary="Réglage modifié"):
    with transaction.atomic():
        for _ in range(n):
            audit_record(
                acting_user=SYSTEM_JOB,
                action="tenants.look_updated",
                summary=summary,
                collectivite_id=collectivite_id,
            )


def test_each_collectivite_has_its_own_chain_and_the_platform_one(tenant_a, tenant_b):
    _record(tenant_a.pk, 2)
    _record(tenant_b.pk)
    _record(None)
    streams = dict(
        HistoryEntry.objects.filter(stream__in=[stream_of(tenant_a.pk), stream_of(None)])
        .values_list("stream", "seq")
        .order_by("stream", "seq")
    )
    assert streams[stream_of(tenant_a.pk)] == 2 and streams["plateforme"] >= 1
    out = io.StringIO()
    call_command("verify_audit", stdout=out)
    assert f"{stream_of(tenant_a.pk)}: intact" in out.getvalue()


def test_entries_are_append_only_and_an_altered_one_is_reported(tenant_a):
    _record(tenant_a.pk, 2)
    entry = HistoryEntry.objects.filter(stream=stream_of(tenant_a.pk)).order_by("seq").first()
    with pytest.raises(DatabaseError), transaction.atomic():
        HistoryEntry.objects.filter(pk=entry.pk).update(summary="falsifié")
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE audit_historyentry DISABLE TRIGGER audit_history_append_only")
        HistoryEntry.objects.filter(pk=entry.pk).update(summary="falsifié")
        cursor.execute("ALTER TABLE audit_historyentry ENABLE TRIGGER audit_history_append_only")
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("verify_audit", stream=stream_of(tenant_a.pk), stdout=out)
    assert "entrée n°1 : contenu altéré" in out.getvalue()


def test_a_role_change_names_its_actor_commune_and_address(
    commune_admin_client, commune_admin, tenant_a, member_factory
):
    agent = member_factory(tenant_a)
    membership = Membership.objects.get(user=agent, collectivite=tenant_a)
    response = commune_admin_client.post(
        f"/gestion/membres/{membership.pk}/", {"action": "make_admin"}
    )
    assert response.status_code == 302
    entry = HistoryEntry.objects.filter(action="tenants.member_role_set").latest("id")
    assert entry.actor_id == commune_admin.pk and entry.actor_label == commune_admin.email
    assert entry.collectivite_id == tenant_a.pk and entry.ip == "127.0.0.1"
    assert agent.email in entry.summary and entry.subject_id == str(membership.pk)


def test_sign_in_and_its_failure_are_in_the_trail(client_a, tenant_a, user_factory):
    user = user_factory()
    client_a.post("/comptes/connexion/", {"username": user.email, "password": "faux"})
    failed = HistoryEntry.objects.filter(action="security.sign_in_failed").latest("id")
    assert user.email in failed.summary and failed.collectivite_id == tenant_a.pk
    assert "faux" not in str(failed.payload)
    client_a.post("/comptes/connexion/", {"username": user.email, "password": PASSWORD})
    signed_in = HistoryEntry.objects.filter(action="security.signed_in").latest("id")
    assert signed_in.actor_id == user.pk


def test_a_commune_admin_sees_only_their_communes_entries(commune_admin_client, tenant_a, tenant_b):
    _record(tenant_a.pk, summary="Chez nous")
    _record(tenant_b.pk, summary="Chez les voisins")
    _record(None, summary="Sur la plateforme")
    page = commune_admin_client.get("/gestion/journal/").content.decode()
    assert "Chez nous" in page
    assert "Chez les voisins" not in page and "Sur la plateforme" not in page
    export = b"".join(commune_admin_client.get("/gestion/journal/?format=csv").streaming_content)
    assert "Chez nous" in export.decode() and "voisins" not in export.decode()


def test_an_agent_who_is_not_admin_is_refused(client_a, tenant_a, member_factory):
    client_a.force_login(member_factory(tenant_a))
    assert client_a.get("/gestion/journal/").status_code == 403


def test_the_platform_page_filters_and_exports(platform_client, tenant_a, tenant_b):
    _record(tenant_a.pk, summary="Couleur changée")
    _record(tenant_b.pk, summary="Logo retiré")
    page = platform_client.get("/operateur/journal/", {"objet": "Couleur"}).content.decode()
    assert "Couleur changée" in page and "Logo retiré" not in page
    assert "Commune A" in page
    page = platform_client.get("/operateur/journal/", {"du": "2000-01-01", "au": "2000-01-02"})
    assert "Couleur changée" not in page.content.decode()
    page = platform_client.get("/operateur/journal/", {"personne": "tâche planifiée"})
    assert "Couleur changée" in page.content.decode()
    export = b"".join(platform_client.get("/operateur/journal/?format=csv").streaming_content)
    text = export.decode()
    assert text.startswith("\ufeffdate;auteur") and "Couleur changée" in text
    assert "Commune A" in text


def test_an_anonymous_or_commune_user_cannot_read_the_platform_page(operator, user_factory):
    client = Client(HTTP_HOST="localhost")
    assert client.get("/operateur/journal/").status_code == 302
    client.force_login(user_factory())
    assert client.get("/operateur/journal/").status_code == 403


@pytest.mark.parametrize("path", ["/operateur/journal/", "/gestion/journal/"])
def test_the_pages_query_count_does_not_grow_with_entries(
    path, platform_client, commune_admin_client, tenant_a, tenant_b, django_assert_num_queries
):
    client = platform_client if path.startswith("/operateur") else commune_admin_client
    _record(tenant_a.pk, 3)
    client.get(path)  # warm the session and the caches
    with CaptureCount() as few:
        client.get(path)
    _record(tenant_a.pk, 60)
    _record(tenant_b.pk, 5)
    with django_assert_num_queries(few.count):
        response = client.get(path)
    assert response.status_code == 200 and "Page 1 sur 2" in response.content.decode()


class CaptureCount:
    def __enter__(self):
        from django.test.utils import CaptureQueriesContext

        self.context = CaptureQueriesContext(connection)
        self.context.__enter__()
        return self

    def __exit__(self, *exc):
        self.context.__exit__(*exc)
        self.count = len(self.context.captured_queries)


def test_the_sve_journal_feeds_the_trail(tenant_a):
    from tests.sve.conftest import enabled_form, submit

    with in_tenant(tenant_a):
        request = submit(enabled_form())
    entry = HistoryEntry.objects.filter(action="sve.submitted").latest("id")
    assert entry.collectivite_id == tenant_a.pk and entry.subject_id == str(request.pk)
    assert entry.summary == "Demande déposée."


def test_a_lockout_is_in_the_trail(client_a, tenant_a, user_factory, settings):
    user = user_factory()
    for _ in range(settings.AXES_FAILURE_LIMIT + 1):
        client_a.post("/comptes/connexion/", {"username": user.email, "password": "faux"})
    locked = HistoryEntry.objects.filter(action="security.locked_out").latest("id")
    assert user.email in locked.summary and locked.subject_id == str(user.pk)


def test_a_refused_second_factor_code_and_a_recovery_code_are_in_the_trail(tenant_a, user_factory):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from identity.services.second_factor import (
        SecondFactorRefused,
        recovery_codes_renew,
        second_factor_verify,
    )

    user = user_factory()
    TOTPDevice.objects.create(user=user, name="Téléphone", confirmed=True)
    codes = recovery_codes_renew(user=user)
    with pytest.raises(SecondFactorRefused):
        second_factor_verify(user=user, code="000000")
    assert HistoryEntry.objects.filter(
        action="security.second_factor_failed", actor_id=user.pk
    ).exists()
    second_factor_verify(user=user, code=codes[0])
    assert HistoryEntry.objects.filter(
        action="security.recovery_code_used", actor_id=user.pk
    ).exists()
