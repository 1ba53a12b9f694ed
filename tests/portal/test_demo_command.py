"""`make demo`'s runner: web, worker and beat come up on seeded data; Ctrl-C stops them all."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import psutil
import pytest
from django.conf import settings

from tests.conftest import queue_delete


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(port: int, host: str, path: str = "/") -> tuple[int, str]:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}", headers={"Host": f"{host}:{port}"}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


@pytest.mark.slow  # about 30 s: run early (tests/conftest.py, pytest_collection_modifyitems)
def test_demo_serves_the_seeded_sites_and_stops_everything_on_ctrl_c(tmp_path):
    port = _free_port()
    log = tmp_path / "demo.log"
    # Its own queue: the demo's worker must take no task of the test run that starts it.
    queue = f"demo-test-{port}"
    env = {
        **os.environ,
        "PORTAL_PORT": str(port),
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "CELERY_QUEUE": queue,
    }
    env.pop("PORTAL_TESTING", None)
    with log.open("w") as output:
        demo = subprocess.Popen(
            [sys.executable, "-m", "portal.demo"],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 120
        while "celery@" not in log.read_text() or "ready" not in log.read_text():
            assert demo.poll() is None, log.read_text()
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.5)
        text = log.read_text()
        assert f"http://briancon.localhost:{port}/" in text
        assert "plateforme@hautes-alpes.demo" in text and "demo-portail-2026" in text

        for _ in range(40):  # runserver may bind a moment after the worker is ready
            try:
                status, page = _get(port, "briancon.localhost")
                break
            except OSError:
                time.sleep(0.25)
        assert status == 200 and "Briançon" in page
        status, page = _get(port, "localhost")
        assert status == 200 and "Puy-Saint-André" in page
        children = psutil.Process(demo.pid).children(recursive=True)
        assert len(children) >= 3
    finally:
        demo.send_signal(signal.SIGINT)
        assert demo.wait(timeout=60) == 0, log.read_text()
        queue_delete(queue)
    assert not [
        child for child in children if child.is_running() and child.status() != psutil.STATUS_ZOMBIE
    ]
