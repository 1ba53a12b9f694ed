"""A real worker killed mid-run (issue 27): start a worker process on a queue of the test's
own, SIGKILL it as soon as it has taken every message waiting there (the tasks are lost
with it), then let the sweep and a new worker settle what is still owed."""

import os
import signal
import time
from datetime import timedelta

from portal.celery import app
from portal.owed.models import OwedDocument
from portal.owed.services import owed_sweep
from tests.conftest import default_queue_set, queue_delete, worker_start, worker_stop


def queue_length(queue: str) -> int:
    with app.connection_for_write() as conn:
        return conn.default_channel.client.llen(queue)


def own_queue(monkeypatch) -> str:
    """A queue no other test's worker takes tasks from; tasks sent from now go there."""
    return default_queue_set(monkeypatch, f"tests-kill-{os.getpid()}-{time.time_ns()}")


def killed_then_swept(queue: str, *, kind: str, seconds: float = 90) -> None:
    """Kill a worker right after it took the queue's tasks, sweep what is still owed of
    ``kind`` (current schema) and let a new worker issue it; returns once none is owed."""
    assert queue_length(queue) > 0
    worker = worker_start(queue)
    try:
        deadline = time.monotonic() + 60
        while queue_length(queue):
            assert time.monotonic() < deadline and worker.poll() is None
            time.sleep(0.01)
        os.kill(worker.pid, signal.SIGKILL)  # the worker took the messages: kill it
        worker.wait(timeout=10)
        owed = OwedDocument.objects.filter(kind=kind, issued_at=None)
        assert owed_sweep(older_than=timedelta(0)) == {"requeued": owed.count()}
        worker = worker_start(queue)
        deadline = time.monotonic() + seconds
        while owed.exists():
            assert time.monotonic() < deadline and worker.poll() is None, f"{kind} still owed"
            time.sleep(0.3)
        assert owed_sweep(older_than=timedelta(0)) == {"requeued": 0}
        time.sleep(1)  # a late duplicate would show now
    finally:
        worker_stop(worker)
        queue_delete(queue)
