"""Test harness: real PostgreSQL and Redis (embedded under var/ unless DATABASE_URL /
REDIS_URL are set), one test database, two member tenants made once per session by the
same service onboarding uses.

Fixtures:
- ``tenant_a`` / ``tenant_b``: Collectivite rows (schemas "c_test_a", "c_test_b"), each
  with the domain "<slug>.localhost". Tests see data through ``in_tenant(tenant)``.
- ``client_a`` / ``client_b``: Django test clients whose requests go to those hosts.
- ``user_factory``: creates accounts (password "motdepasse-solide-42").
- ``staff_login(client, user)``: signs ``user`` in as the login page does for staff: the
  session has passed the second factor (a confirmed TOTP device is made if none exists).
  A test client's ``login()``/``force_login()`` does the same for an account that must use
  one; ``password_only_login`` opens a session that skipped it (tests of the gate).
- ``worker_process``: a real Celery worker process on the test database and this run's own
  queue (tests using it need ``django_db(transaction=True)``: the worker sees only commits).
"""

import os
import subprocess
import sys
import uuid
from contextlib import contextmanager
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django_tenants.utils import tenant_context

from tests import template_db

PASSWORD = "motdepasse-solide-42"


# Run a block inside a tenant's schema, then go back to the schema active before.
in_tenant = tenant_context


def _ensure_tenant(slug: str, name: str, insee: str):
    from tenants.models import Collectivite
    from tenants.services import collectivite_create, schema_name_for

    existing = Collectivite.objects.filter(slug=slug).first()
    if existing:
        return existing
    # After a transactional test flushed the public tables the schema may still be there:
    # drop it so that the service makes a clean one.
    with connection.cursor() as cursor:
        cursor.execute(f'DROP SCHEMA IF EXISTS "{schema_name_for(slug)}" CASCADE')
    collectivite = collectivite_create(
        name=name, slug=slug, insee_code=insee, population_totale=1000
    )
    # Contact details as its admin fills them: forms go online only with them (CRPA R112-5).
    collectivite.contact_address = f"Place de la Mairie\n05100 {name}"
    collectivite.contact_email = f"mairie@{slug}.example.fr"
    collectivite.contact_phone = "04 92 00 00 01"
    collectivite.save()
    return collectivite


def _ensure_operator():
    from conventions.models import Application, ConventionModel
    from conventions.seeds import seed_catalogue
    from tenants.models import Collectivite, Domain

    # The catalogue is migration data: transactional tests flush it, so put it back.
    seed_catalogue(Application, ConventionModel)

    operator, _ = Collectivite.objects.get_or_create(
        schema_name="public",
        defaults={
            "name": "Opérateur de test",
            "slug": "operateur",
            "kind": Collectivite.Kind.DEPARTEMENT,
        },
    )
    Domain.objects.get_or_create(
        domain="localhost", defaults={"tenant": operator, "is_primary": True}
    )
    return operator


def _template_used(config) -> bool:
    workers = getattr(config.option, "numprocesses", None)
    return (
        isinstance(workers, int)
        and workers > 1
        and not config.getoption("reuse_db")
        and not hasattr(config, "workerinput")
    )


def pytest_configure(config):
    if _template_used(config):
        template_db.run_starts()


def pytest_unconfigure(config):
    if _template_used(config):
        template_db.run_ends()


def _needs_database(item) -> bool:
    return bool(
        item.get_closest_marker("django_db")
        or {"db", "transactional_db", "django_db_setup", "live_server"} & set(item.fixturenames)
    )


def _duration_class(item) -> int:
    """0: tests taking tens of seconds (a browser, the demo: marked ``slow``); 1: tests
    where other processes or threads act (transactional: a live server, a worker); 2: the
    rest, most under a tenth of a second."""
    if "browser" in item.fixturenames or item.get_closest_marker("slow"):
        return 0
    return 1 if _transactional(item) else 2


def pytest_collection_modifyitems(items):
    """The tests that need no database first: they run while the run's template database
    is migrated (tests/template_db.py, 15 s of one core), which the others wait for. Then
    the longest first: xdist hands tests out one by one as workers free up (``--dist
    loadgroup``); in collection order the browser tests and the demo came in the middle and
    at the end, and one worker was still on them 20 s after the others had finished. Same
    order in every worker (a stable sort on what each collects alike), as xdist requires."""
    items.sort(key=lambda item: (_needs_database(item), _duration_class(item)))


def _transactional(item) -> bool:
    marker = item.get_closest_marker("django_db")
    return bool(
        {"transactional_db", "live_server"} & set(item.fixturenames)
        or (marker and marker.kwargs.get("transaction"))
    )


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """After a transactional test's flush (every public table emptied), the session's rows
    are made again, committed, as ``django_db_setup`` made them. Without it, each later test
    of the process made the operator and both communes again inside its own transaction
    (a schema cloned twice, rolled back), and a test that needed only the catalogue or the
    operator's domain passed or failed by the order the tests came in."""
    yield
    if _transactional(item):
        from pytest_django.plugin import blocking_manager_key

        with item.config.stash[blocking_manager_key].unblock():
            connection.set_schema_to_public()
            _session_rows_made()


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """Each xdist worker's database is a copy of the run's migrated template
    (tests/template_db.py), when the run has one."""
    template = template_db.template_ready()
    if template:
        connection.settings_dict["TEST"]["TEMPLATE"] = template


def _session_rows_made() -> None:
    """The operator, the catalogue and the two session communes (schemas included)."""
    _ensure_operator()
    _ensure_tenant("test-a", "Commune A", "05107")
    _ensure_tenant("test-b", "Commune B", "05023")


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        _session_rows_made()
    yield
    # Threads of concurrency tests and in-process workers may leave connections open; they
    # would stop pytest-django from dropping the test database.
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )


@pytest.fixture
def operator(db):
    return _ensure_operator()


@pytest.fixture
def tenant_a(db):
    _ensure_operator()
    return _ensure_tenant("test-a", "Commune A", "05107")


@pytest.fixture
def tenant_b(db):
    _ensure_operator()
    return _ensure_tenant("test-b", "Commune B", "05023")


@pytest.fixture(autouse=True)
def _abuse_limits_reset():
    """Rate-limit and lockout counters live in Redis (the default cache, portal/limits.py):
    each test starts from zero, so the suite may log in as often as it needs."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _back_to_public():
    yield
    connection.set_schema_to_public()


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty shared cache: the database rolls back after a test,
    the per-commune values kept in Redis (portal.tenant_cache) would not."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def client_a(tenant_a):
    return Client(HTTP_HOST="test-a.localhost")


@pytest.fixture
def client_b(tenant_b):
    return Client(HTTP_HOST="test-b.localhost")


@pytest.fixture
def operator_client(operator):
    return Client(HTTP_HOST="localhost")


@pytest.fixture
def user_factory(db):
    from portal.accounts.models import User

    counter = {"n": 0}

    def make(email: str | None = None, **fields):
        counter["n"] += 1
        email = email or f"user{counter['n']}-{os.urandom(3).hex()}@example.fr"
        return User.objects.create_user(email=email, password=PASSWORD, **fields)

    return make


# Django's own sign-in of a test client, before ``_staff_sign_in_passes_the_second_factor``.
_client_login = Client._login


def password_only_login(client, user):
    """A session opened by the password alone, as if the second factor had been skipped:
    for the tests of the staff-access gate (issue 22)."""
    _client_login(client, user, "portal.accounts.backends.AccountBackend")
    return client


@pytest.fixture(autouse=True)
def _staff_sign_in_passes_the_second_factor(monkeypatch):
    """A test client's login() or force_login() of an account that must use a second factor
    (staff roles, or enrolled) opens a session that passed it, as the login page does
    (issue 22: staff surfaces refuse any other). ``password_only_login`` opens one that
    did not."""

    def _login(self, user, backend=None):
        from identity.services.second_factor import second_factor_required

        _client_login(self, user, backend)
        if second_factor_required(user=user):
            _pass_second_factor(self, user)

    monkeypatch.setattr(Client, "_login", _login)


def _pass_second_factor(client, user) -> None:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from identity.services.sessions import session_second_factor_passed

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Test", confirmed=True)
    session_second_factor_passed(client.session, device=device)


def staff_login(client, user):
    """Open a session for ``user`` that has passed the second factor, as the operator's login
    does (issue 22: staff surfaces refuse a session that has not). Returns the client."""
    _client_login(client, user, "portal.accounts.backends.AccountBackend")
    _pass_second_factor(client, user)
    return client


@pytest.fixture
def member_factory(user_factory):
    from tenants.models import Membership
    from tenants.services import membership_grant

    def make(tenant, role: str = Membership.Role.AGENT, title: str = "Agent instructeur", **fields):
        # Staff who may sign decisions (CRPA L212-1): first name, name and title.
        fields.setdefault("first_name", "Camille")
        fields.setdefault("last_name", "Durand")
        user = user_factory(**fields)
        membership_grant(user=user, collectivite=tenant, role=role, title=title)
        return user

    return make


def worker_start(queue: str = "", **env: str) -> subprocess.Popen:
    """Start a Celery worker process (solo pool) on the test database, consuming this run's
    queue (settings_test gives each run its own), so no other worker takes its tasks; or
    ``queue``, for a test that must be the only one consuming. ``env``: more variables for
    it (settings a test changes in its own process do not reach the worker's)."""
    url = urlsplit(os.environ["DATABASE_URL"])
    database_url = urlunsplit(url._replace(path="/" + connection.settings_dict["NAME"]))
    queue = queue or settings.CELERY_TASK_DEFAULT_QUEUE
    # Its PostgreSQL sessions carry this name (libpq's PGAPPNAME), for tests that count them.
    application_name = f"test-worker-{uuid.uuid4().hex[:8]}"
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
            # Its own node name (and so its own control queue): several test runs (xdist
            # workers) may each have a worker up at the same time.
            "--hostname",
            f"{application_name}@%h",
        ],
        env={
            **os.environ,
            "DATABASE_URL": database_url,
            "REDIS_URL": settings.REDIS_URL,
            "CELERY_QUEUE": queue,
            "PGAPPNAME": application_name,
            **env,
        },
    )
    process.application_name = application_name
    return process


def worker_stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def default_queue_set(monkeypatch, queue: str) -> str:
    """Send this test's tasks to ``queue`` until it ends. Celery caches its table of queues
    (``app.amqp.queues``) the first time it is read, with the default queue of that moment:
    built while a test had patched it, the table kept that test's queue for the rest of the
    process, and a later in-thread worker consumed it instead of the run's own (the
    rendezvous confirmation then never came, on CI). The table is rebuilt here and put back
    with the setting."""
    from portal.celery import app

    monkeypatch.setitem(app.conf, "task_default_queue", queue)
    monkeypatch.setitem(vars(app.amqp), "queues", app.amqp.Queues(app.conf.task_queues))
    return queue


@contextmanager
def worker_in_thread():
    """A Celery worker (solo pool) in a thread of this process, so that its mail lands in
    ``mail.outbox``; it consumes this run's queue, named, never whatever Celery's cached
    table holds; the queue is emptied first (tasks of earlier tests, their rows gone)."""
    from celery.contrib.testing.worker import start_worker

    from portal.celery import app

    queue_delete()
    with start_worker(
        app,
        pool="solo",
        perform_ping_check=False,
        shutdown_timeout=10,
        queues=[settings.CELERY_TASK_DEFAULT_QUEUE],
    ) as worker:
        yield worker


def queue_delete(queue: str = "") -> None:
    from portal.celery import queue_drop

    queue_drop(queue or settings.CELERY_TASK_DEFAULT_QUEUE)


# Workers kept from one browser test to the next (tests/e2e/conftest.py, ``LiveWorkers``).
KEPT_WORKERS: list = []


@pytest.fixture(autouse=True)
def _kept_workers_stopped(request):
    """A worker kept by the browser tests consumes this run's queue: any other test, which
    may start its own worker on that queue or read what waits in it, runs without it."""
    if "live_worker" not in request.fixturenames:
        for kept in KEPT_WORKERS:
            if kept.process is not None:
                kept.stop()


@pytest.fixture
def worker_process():
    """A real Celery worker process (see ``worker_start``), stopped after the test."""
    process = worker_start()
    yield process
    worker_stop(process)
    queue_delete()


@pytest.fixture
def idle_members(db):
    """Three more member communes (cloned like any onboarding, rolled back with the test)
    where nobody has anything: pages serving one person must not read their schemas."""
    from tenants.services import collectivite_create

    _ensure_operator()
    return [
        collectivite_create(name=f"Commune inactive {n}", slug=f"test-idle-{n}") for n in range(3)
    ]


def schemas_read(captured_queries, members) -> set[str]:
    """The members' schemas named by any captured statement (search_path switches included)."""
    return {
        member.schema_name
        for member in members
        if any(member.schema_name in query["sql"] for query in captured_queries)
    }


@pytest.fixture
def idle_members_committed(transactional_db):
    """As ``idle_members``, for tests that commit (a worker reads them): their schemas are
    dropped afterwards (the flush only empties the public tables)."""
    from tenants.services import collectivite_create

    _ensure_operator()
    made = [
        collectivite_create(name=f"Commune inactive {n}", slug=f"test-idle-{n}") for n in range(3)
    ]
    yield made
    with connection.cursor() as cursor:
        for member in made:
            cursor.execute(f'DROP SCHEMA IF EXISTS "{member.schema_name}" CASCADE')
