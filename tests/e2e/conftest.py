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
    """A real Celery worker process on the live server's database and queue; the links in
    the mail it sends name the live server's port."""
    from tests.conftest import queue_delete, worker_start, worker_stop

    process = worker_start(PORTAL_PORT=live_server.url.rsplit(":", 1)[1])
    yield process
    worker_stop(process)
    queue_delete()


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
