"""A real Celery worker (separate process, Redis broker) renders the AEE after the commit of
a submission, inside the right tenant's schema."""

import os
import subprocess
import sys
import time
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings
from django.db import connection

from sve.models import Document
from tests.conftest import in_tenant
from tests.sve.conftest import enabled_form, submit

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def worker():
    from portal.celery import app

    queue = f"test_sve_{os.getpid()}"
    url = urlsplit(os.environ["DATABASE_URL"])
    database_url = urlunsplit(url._replace(path="/" + connection.settings_dict["NAME"]))
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
            queue,
            "--loglevel",
            "WARNING",
            "--without-mingle",
            "--without-gossip",
            "--without-heartbeat",
        ],
        env={**os.environ, "DATABASE_URL": database_url, "REDIS_URL": settings.REDIS_URL},
    )
    previous = app.conf.task_default_queue
    app.conf.task_default_queue = queue
    yield process
    app.conf.task_default_queue = previous
    process.terminate()
    process.wait(timeout=20)
    with app.connection_for_write() as conn:
        conn.default_channel.queue_delete(queue)


def test_worker_issues_the_aee_in_the_request_tenant(worker, tenant_a, tenant_b):
    with in_tenant(tenant_b):
        enabled_form()  # same slug in B: the worker must not look there
    with in_tenant(tenant_a):
        req = submit(enabled_form())  # transaction=True: committed, task queued on commit
        deadline = time.monotonic() + 60
        while not Document.objects.filter(request=req, kind=Document.Kind.AEE).exists():
            assert time.monotonic() < deadline, "the worker did not issue the AEE"
            assert worker.poll() is None, "the worker died"
            time.sleep(0.3)
        aee = Document.objects.get(request=req, kind=Document.Kind.AEE)
        assert bytes(aee.content).startswith(b"%PDF")
    with in_tenant(tenant_b):
        assert not Document.objects.exists()
