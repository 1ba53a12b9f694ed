"""A real Celery worker (separate process, Redis broker, not eager) runs tenant tasks."""

import os
import subprocess
import sys
import time
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings
from django.db import connection

from portal.jobs.models import JobRun
from portal.jobs.tasks import fan_out, run_tenant_job
from portal.tasks import send_to_tenant
from tests.conftest import in_tenant

pytestmark = pytest.mark.django_db(transaction=True)


def _test_database_url() -> str:
    """DATABASE_URL with the test database's name in place of the configured one."""
    url = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(url._replace(path="/" + connection.settings_dict["NAME"]))


@pytest.fixture
def worker():
    """A worker process on this run's own queue and on the test database."""
    env = {
        **os.environ,
        "DATABASE_URL": _test_database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "CELERY_QUEUE": settings.CELERY_TASK_DEFAULT_QUEUE,
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "portal",
            "worker",
            "--pool",
            "solo",
            "-Q",
            settings.CELERY_TASK_DEFAULT_QUEUE,
            "--loglevel",
            "WARNING",
            "--without-mingle",
            "--without-gossip",
            "--without-heartbeat",
        ],
        env=env,
    )
    yield process
    process.terminate()
    process.wait(timeout=20)


def test_worker_runs_a_job_inside_the_given_tenant(worker, tenant_a, tenant_b):
    result = send_to_tenant(run_tenant_job, tenant_a.schema_name, job="jobs.heartbeat")
    summary = result.get(timeout=60)

    with in_tenant(tenant_a):
        run = JobRun.objects.get(pk=summary["run_id"])
        assert run.job == "jobs.heartbeat"
        assert run.status == JobRun.Status.DONE
        assert run.finished_at is not None
    with in_tenant(tenant_b):
        assert not JobRun.objects.filter(job="jobs.heartbeat").exists()


def test_fan_out_sends_one_task_per_active_tenant(worker, tenant_a, tenant_b):
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
