"""The browser tests' worker is kept from one test to the next (``LiveWorkers``): only when
it holds nothing of the test that ends, since the database is flushed after it."""

import time

import pytest

from portal.jobs.models import JobRun
from portal.jobs.tasks import run_tenant_job
from portal.tasks import send_to_tenant
from tests.conftest import in_tenant
from tests.e2e.conftest import LiveWorkers, _queue_length

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def workers(live_server):
    workers = LiveWorkers()
    yield workers, live_server.url.rsplit(":", 1)[1]
    workers.stop()


def test_an_idle_worker_is_kept_for_the_next_test(workers, tenant_a):
    workers, port = workers
    process = workers.ready(port)
    send_to_tenant(run_tenant_job, tenant_a.schema_name, job="jobs.heartbeat").get(timeout=60)

    workers.settle()

    assert workers.process is process and process.poll() is None
    assert workers.ready(port) is process


def test_a_worker_holding_a_countdown_is_replaced_and_the_task_never_runs(workers, tenant_a):
    workers, port = workers
    process = workers.ready(port)
    send_to_tenant(run_tenant_job, tenant_a.schema_name, job="jobs.heartbeat").get(timeout=60)
    # Due in 3 s: the worker takes it at once and holds it in memory until then.
    run_tenant_job.apply_async(
        kwargs={"job": "jobs.heartbeat"},
        headers={"_schema_name": tenant_a.schema_name},
        countdown=3,
    )
    deadline = time.monotonic() + 30
    while _queue_length() and time.monotonic() < deadline:
        time.sleep(0.1)

    workers.settle()

    assert workers.process is None and process.poll() is not None
    assert _queue_length() == 0
    workers.ready(port)  # the next test's worker
    time.sleep(5)
    with in_tenant(tenant_a):
        assert JobRun.objects.filter(job="jobs.heartbeat").count() == 1
