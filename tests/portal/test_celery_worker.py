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


def worker_backends(worker) -> set[int]:
    """The worker's connections to the test database (named by its PGAPPNAME: other
    tests' servers may still be closing theirs)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
            " AND application_name = %s",
            [worker.application_name],
        )
        return {pid for (pid,) in cursor.fetchall()}


def test_the_worker_keeps_its_connection_and_switches_schema_on_it(
    worker_process, tenant_a, tenant_b
):
    # Issue 14: a new PostgreSQL backend per task (Celery's default) cost most of a fan-out
    # round over 1,000 members; the next task reuses the connection, in its own tenant.
    send_to_tenant(run_tenant_job, tenant_a.schema_name, job="jobs.heartbeat").get(timeout=60)
    time.sleep(0.5)  # Celery's fixup would close the connection after the result is sent
    first = worker_backends(worker_process)
    summary = send_to_tenant(run_tenant_job, tenant_b.schema_name, job="jobs.heartbeat").get(
        timeout=60
    )
    time.sleep(0.5)

    assert len(first) == 1 and worker_backends(worker_process) == first
    with in_tenant(tenant_b):
        assert JobRun.objects.filter(pk=summary["run_id"], job="jobs.heartbeat").exists()
    with in_tenant(tenant_a):
        assert JobRun.objects.filter(job="jobs.heartbeat").count() == 1


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


@pytest.fixture
def broken_member(tenant_b):
    """Tenant B's SVE tables made unusable (as a half-restored schema would be)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute('ALTER TABLE "c_test_b".sve_request RENAME TO sve_request_away')
    yield tenant_b
    with connection.cursor() as cursor:
        cursor.execute('ALTER TABLE "c_test_b".sve_request_away RENAME TO sve_request')


def test_a_member_whose_task_fails_does_not_stop_the_others(
    worker_process, tenant_a, broken_member, idle_members_committed
):
    # Sent in name order: B fails before the idle members' tasks are even taken.
    members = [tenant_a, broken_member, *idle_members_committed]
    assert fan_out.delay(job="sve.implicit_decisions").get(timeout=60) == len(members)

    def finished(member):
        with in_tenant(member):
            return (
                JobRun.objects.filter(job="sve.implicit_decisions")
                .exclude(status=JobRun.Status.RUNNING)
                .first()
            )

    deadline = time.monotonic() + 90
    while not all(finished(member) for member in members):
        assert time.monotonic() < deadline, "the fan-out round did not finish"
        time.sleep(0.3)
    assert finished(broken_member).status == JobRun.Status.FAILED
    assert "sve_request" in finished(broken_member).error
    for member in (tenant_a, *idle_members_committed):
        assert finished(member).status == JobRun.Status.DONE
