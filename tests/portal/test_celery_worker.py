"""A real Celery worker (separate process, Redis broker, not eager) runs tenant tasks."""

import time

import pytest

from portal.jobs.models import JobRun
from portal.jobs.tasks import fan_out, run_tenant_job
from portal.tasks import send_to_tenant
from tests.conftest import in_tenant

pytestmark = pytest.mark.django_db(transaction=True)


def test_worker_runs_a_job_inside_the_given_tenant(worker_process, tenant_a, tenant_b):
    result = send_to_tenant(run_tenant_job, tenant_a.schema_name, job="jobs.heartbeat")
    summary = result.get(timeout=60)

    with in_tenant(tenant_a):
        run = JobRun.objects.get(pk=summary["run_id"])
        assert run.job == "jobs.heartbeat"
        assert run.status == JobRun.Status.DONE
        assert run.finished_at is not None
    with in_tenant(tenant_b):
        assert not JobRun.objects.filter(job="jobs.heartbeat").exists()


def test_fan_out_sends_one_task_per_active_tenant(worker_process, tenant_a, tenant_b):
    tenant_b.status = tenant_b.Status.SUSPENDED
    tenant_b.save(update_fields=["status"])

    assert fan_out.delay(job="jobs.heartbeat").get(timeout=60) == 1

    deadline = time.monotonic() + 60
    with in_tenant(tenant_a):
        while not JobRun.objects.filter(job="jobs.heartbeat", status=JobRun.Status.DONE).exists():
            assert time.monotonic() < deadline, "the fanned-out task never ran in tenant A"
            time.sleep(0.2)
    with in_tenant(tenant_b):
        assert not JobRun.objects.exists()
