"""Browser tests: Playwright driving Debian's Chromium against the real stack, as in
``make demo``: pytest-django's live server and, consuming at the same time, a real Celery
worker process (``live_worker``, started for every test that uses ``site_url``), so the
documents a step owes are issued while the browser goes on.

Member sites are reached as http://<slug>.localhost:<port>/ (Chromium resolves *.localhost
to loopback). Tests using ``live_server`` are transactional: rows they create are committed.
"""

import os

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


@pytest.fixture
def live_worker(live_server):
    """A real Celery worker process on the live server's database and queue."""
    from tests.conftest import queue_delete, worker_start, worker_stop

    process = worker_start()
    yield process
    worker_stop(process)
    queue_delete()


@pytest.fixture
def site_url(live_server, live_worker):
    """``site_url("test-a")`` -> "http://test-a.localhost:<port>"; ``site_url()`` -> operator."""
    port = live_server.url.rsplit(":", 1)[1]

    def url(slug: str | None = None) -> str:
        host = f"{slug}.localhost" if slug else "localhost"
        return f"http://{host}:{port}"

    return url
