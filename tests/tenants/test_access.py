import io
import json
import zipfile
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.utils import timezone

from portal.jobs.models import JobRun
from tenants import services
from tenants.models import Collectivite, CollectiviteEvent, Membership
from tests.conftest import in_tenant


@pytest.fixture
def agent_client(tenant_a, member_factory):
    client = Client(HTTP_HOST="test-a.localhost")
    client.force_login(member_factory(tenant_a))
    return client


@pytest.fixture
def restore_status(tenant_a):
    yield
    Collectivite.objects.filter(pk=tenant_a.pk).update(status="active", suspension_reason="")


def test_suspension_shows_agents_the_reason_and_keeps_public_pages(
    tenant_a, admin_client, agent_client, platform_admin, restore_status
):
    response = admin_client.post(
        "/operateur/collectivites/test-a/suspendre/",
        {"reason": "Mise en demeure du 3 novembre restée sans effet."},
        follow=True,
    )
    assert "L&#x27;accès de Commune A est suspendu." in response.content.decode()
    blocked = agent_client.get("/gestion/")
    assert blocked.status_code == 403
    assert "Mise en demeure du 3 novembre restée sans effet." in blocked.content.decode()
    assert "L'accès au back-office est suspendu" in blocked.content.decode()
    assert Client(HTTP_HOST="test-a.localhost").get("/").status_code == 200  # citizens

    admin_client.post("/operateur/collectivites/test-a/retablir/")
    assert agent_client.get("/gestion/").status_code == 200
    events = list(
        CollectiviteEvent.objects.filter(collectivite=tenant_a).values_list(
            "action", "actor", "reason"
        )
    )
    assert events == [
        ("lift", platform_admin.pk, ""),
        ("suspend", platform_admin.pk, "Mise en demeure du 3 novembre restée sans effet."),
    ]
    history = admin_client.get("/operateur/collectivites/test-a/").content.decode()
    assert "Levée de la suspension" in history and platform_admin.email in history


def test_suspension_needs_a_reason_and_an_active_commune(tenant_a, platform_admin, restore_status):
    with pytest.raises(ValidationError, match="motif"):
        services.collectivite_suspend(collectivite=tenant_a, reason=" ", acting_user=platform_admin)
    with pytest.raises(ValidationError, match="pas suspendue"):
        services.collectivite_lift_suspension(collectivite=tenant_a, acting_user=platform_admin)
    assert not CollectiviteEvent.objects.filter(collectivite=tenant_a).exists()


def test_only_platform_admins_suspend(tenant_a, operator, user_factory):
    client = Client(HTTP_HOST="localhost")
    client.force_login(user_factory(is_finance=True))
    response = client.post("/operateur/collectivites/test-a/suspendre/", {"reason": "x"})
    assert response.status_code == 403
    assert Collectivite.objects.get(pk=tenant_a.pk).status == "active"


def test_the_export_holds_every_tenant_model_the_public_rows_and_the_files(
    tenant_a, tenant_b, admin_client, member_factory, platform_admin
):
    member_factory(tenant_a, role=Membership.Role.ADMIN, email="ref@commune-a.fr")
    with in_tenant(tenant_a):
        JobRun.objects.create(job="jobs.heartbeat")
    with in_tenant(tenant_b):
        JobRun.objects.create(job="jobs.heartbeat-de-b")
    media = settings.MEDIA_ROOT / "c_test_a" / "sve"
    media.mkdir(parents=True, exist_ok=True)
    (media / "piece.pdf").write_bytes(b"%PDF-1.4 test")
    try:
        response = admin_client.post("/operateur/collectivites/test-a/export/")
    finally:
        (media / "piece.pdf").unlink()
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    names = set(archive.namelist())
    assert {"data/jobs.jobrun.json", "commune/collectivite.json", "files/sve/piece.pdf"} <= names
    runs = json.loads(archive.read("data/jobs.jobrun.json"))
    assert [run["fields"]["job"] for run in runs] == ["jobs.heartbeat"]  # not B's
    assert archive.read("files/sve/piece.pdf") == b"%PDF-1.4 test"
    accounts = json.loads(archive.read("commune/comptes.json"))
    assert accounts[0]["email"] == "ref@commune-a.fr"
    assert connection.schema_name == "public"
    event = CollectiviteEvent.objects.get(collectivite=tenant_a)
    assert (event.action, event.actor) == ("export", platform_admin)


def test_archiving_needs_a_recent_export_then_closes_the_site_and_keeps_the_schema(
    tenant_a, admin_client, platform_admin, restore_status
):
    refused = admin_client.post(
        "/operateur/collectivites/test-a/archiver/", {"confirm_slug": "test-a"}, follow=True
    )
    assert "Téléchargez d&#x27;abord l&#x27;archive" in refused.content.decode()
    with time_machine.travel(timezone.now() - timedelta(days=8)):
        services.collectivite_export_bytes(collectivite=tenant_a, acting_user=platform_admin)
    with pytest.raises(ValidationError, match="moins de 7 jours"):
        services.collectivite_archive(collectivite=tenant_a, acting_user=platform_admin)

    admin_client.post("/operateur/collectivites/test-a/export/")
    wrong = admin_client.post(
        "/operateur/collectivites/test-a/archiver/", {"confirm_slug": "test-b"}, follow=True
    )
    assert "ne correspond pas" in wrong.content.decode()
    assert Collectivite.objects.get(pk=tenant_a.pk).status == "active"

    admin_client.post("/operateur/collectivites/test-a/archiver/", {"confirm_slug": "test-a"})
    assert Collectivite.objects.get(pk=tenant_a.pk).status == "archived"
    closed = Client(HTTP_HOST="test-a.localhost").get("/")
    assert closed.status_code == 410
    assert "Ce service est fermé" in closed.content.decode()
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM information_schema.schemata WHERE schema_name='c_test_a'")
        assert cursor.fetchone()
    assert CollectiviteEvent.objects.filter(collectivite=tenant_a, action="archive").exists()
