"""Browser tests: Playwright driving Debian's Chromium against the real stack, as in
``make demo``: pytest-django's live server and, consuming at the same time, a real Celery
worker process (``live_worker``, for every test that uses ``site_url``, kept from one test
to the next once it holds nothing), so the documents a step owes are issued while the
browser goes on.

Member sites are reached as http://<slug>.localhost:<port>/ (Chromium resolves *.localhost
to loopback). Tests using ``live_server`` are transactional: rows they create are committed.
"""

import os
import socket

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "1")  # Playwright's sync API runs an event loop


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium is missing at {CHROMIUM}: `make browser` installs Debian's.")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-dev-shm-usage",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="fr-FR", timezone_id="Europe/Paris")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


class LiveWorkers:
    """One real Celery worker process per test process (xdist worker), kept from one
    browser test to the next: starting one costs about 1.5 s of CPU, and the browser tests
    started thirty. Between two tests it must hold nothing of the first (the database is
    flushed after it): ``settle`` empties the queue, then asks the worker what it holds;
    a worker still working, holding a task or a countdown, or silent, is stopped (its
    unacknowledged tasks are put back, then deleted with the queue) and the next test starts
    a fresh one, as before."""

    ANSWER_WITHIN = 10  # seconds: a solo worker answers only between two tasks

    def __init__(self):
        self.process = None
        self.port = None

    def ready(self, port: str):
        from tests.conftest import worker_start

        if self.process is not None and (self.process.poll() is not None or self.port != port):
            self.stop()
        if self.process is None:
            self.process = worker_start(PORTAL_PORT=port)
            self.port = port
        return self.process

    def settle(self) -> None:
        if self.process is None:
            return
        for _ in range(3):
            _queue_purge()  # purged, not deleted: the kept worker goes on consuming it
            if not self._holds_nothing():
                break
            if _queue_length() == 0:
                return  # idle, nothing held, nothing queued behind it
        self.stop()

    def _holds_nothing(self) -> bool:
        from portal.celery import app

        node = f"{self.process.application_name}@{socket.gethostname()}"
        inspect = app.control.inspect(destination=[node], timeout=self.ANSWER_WITHIN)
        for held in (inspect.active(), inspect.reserved(), inspect.scheduled()):
            if not held or held.get(node):
                return False  # silent (None), or holding something
        return True

    def stop(self) -> None:
        from tests.conftest import queue_delete, worker_stop

        if self.process is not None:
            worker_stop(self.process)
            self.process = None
        queue_delete()


def _queue_purge() -> None:
    from django.conf import settings

    from portal.celery import app

    with app.connection_for_write() as conn:
        conn.default_channel.queue_purge(settings.CELERY_TASK_DEFAULT_QUEUE)


def _queue_length() -> int:
    from django.conf import settings

    from portal.celery import app

    with app.connection_for_write() as conn:
        return conn.default_channel.client.llen(settings.CELERY_TASK_DEFAULT_QUEUE)


@pytest.fixture(scope="session")
def _live_workers(live_server):
    from tests.conftest import KEPT_WORKERS

    workers = LiveWorkers()
    KEPT_WORKERS.append(workers)
    yield workers
    KEPT_WORKERS.remove(workers)
    workers.stop()


@pytest.fixture
def live_worker(live_server, _live_workers):
    """A real Celery worker process on the live server's database and queue; the links in
    the mail it sends name the live server's port. Kept for the next test once it is
    settled (``LiveWorkers``)."""
    process = _live_workers.ready(live_server.url.rsplit(":", 1)[1])
    yield process
    _live_workers.settle()


@pytest.fixture
def site_url(live_server, live_worker, settings):
    """``site_url("test-a")`` -> "http://test-a.localhost:<port>"; ``site_url()`` -> operator.

    Member hosts sign in through the operator's single sign-on (issue 12): their clients are
    registered for the live server's port each time a URL is asked for (tenants may be made
    after this fixture)."""
    from identity.services.sso import sso_clients_sync

    port = live_server.url.rsplit(":", 1)[1]
    settings.PORTAL_PORT = port

    def url(slug: str | None = None) -> str:
        sso_clients_sync()
        host = f"{slug}.localhost" if slug else "localhost"
        return f"http://{host}:{port}"

    return url


def sign_in(page, url: str, user) -> None:
    """Sign ``user`` in through the login page at ``url``, as a person would: staff roles
    (platform admins, finance, support desk: issues 12 and 22) also enter their second
    factor, enrolled here."""
    from identity.services.second_factor import has_staff_role
    from tests.conftest import PASSWORD
    from tests.identity.conftest import totp_code, totp_enrolled

    device = totp_enrolled(user) if has_staff_role(user=user) else None
    page.goto(url)
    page.get_by_label("Adresse électronique").fill(user.email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    if device is not None:
        page.get_by_label("Code de vérification").fill(totp_code(device))
        page.get_by_role("button", name="Valider").click()
