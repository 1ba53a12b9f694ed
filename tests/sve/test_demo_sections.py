import pytest

from sve import demo
from sve.models import Form, Request
from tests.conftest import PASSWORD, in_tenant

pytestmark = pytest.mark.django_db


def test_demo_seed_is_idempotent(tenant_a):
    with in_tenant(tenant_a):
        demo.seed_tenant(tenant_a)
        demo.seed_tenant(tenant_a)
        assert Form.objects.filter(is_enabled=True).count() == len(demo.DEMO_TEMPLATES)
        assert Request.objects.count() == 2


def test_home_and_backoffice_sections(client_a, tenant_a, agent_a):
    with in_tenant(tenant_a):
        demo.seed_tenant(tenant_a)
    home = client_a.get("/").content.decode()
    assert "Démarches en ligne" in home and "/demarches/formulaire/intervention/" in home
    client_a.login(email=agent_a.email, password=PASSWORD)
    backoffice = client_a.get("/gestion/").content.decode()
    assert "/demarches/gestion/" in backoffice and "2 en cours" in backoffice


def test_beat_runs_the_implicit_decision_job_per_tenant(settings):
    from portal.jobs.registry import get_job

    entry = settings.CELERY_BEAT_SCHEDULE["sve-implicit-decisions"]
    assert entry["task"] == "jobs.fan_out"
    assert get_job(entry["kwargs"]["job"]) is not None
