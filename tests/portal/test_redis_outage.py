"""Redis down degrades, it does not break (issue 22 item 7: every page answered 500). A real
Redis (the embedded server's binary) is shut down during the test, then started again: one
of the test's own, which the cache and the Celery broker and results use for the test, so
the rest of the suite, running beside it, keeps the shared one."""

import os
import time
from datetime import timedelta

import pytest
import redis
from django.conf import settings
from django.core.cache import cache

from portal import embedded
from portal.celery import app
from portal.owed.models import OwedDocument
from portal.owed.services import owed_sweep
from sve.models import Request
from tests.conftest import in_tenant
from tests.sve.conftest import enabled_form

pytestmark = pytest.mark.django_db

IDENTITY = {
    "id-last_name": "Durand",
    "id-first_name": "Alix",
    "id-postal_address": "2 place de l'Église",
    "id-email": "alix@example.fr",
}
DIRECTORY = embedded.VAR_DIR / "redis-outage" / (os.environ.get("PYTEST_XDIST_WORKER") or "main")
SOCKET = DIRECTORY / embedded.REDIS_SOCKET.name


def _celery_on(url: str, backend: str) -> None:
    """Point the Celery app of this process at another broker and result backend: its
    connection pools and backend are made again from the configuration on next use. The
    pools left are not closed: kombu keeps one per URL for the whole process, and a closed
    one would be handed back when the URL comes back (every later publish then failed,
    and tests waited for the sweep)."""
    app.conf.broker_url, app.conf.result_backend = url, backend
    app._pool = None
    vars(app.amqp)["_producer_pool"] = None
    app._backend_cache = None
    vars(app._local).pop("backend", None)


def _axes_handler_dropped() -> None:
    """Axes keeps the cache it was made with for the whole process: made during this test,
    it would have used the test's Redis in every later test (made before, it would never
    use the test's). Dropped, it is made again on first use, with the cache of that time."""
    from axes.handlers.proxy import AxesProxyHandler

    AxesProxyHandler.implementation = None


@pytest.fixture
def own_redis(settings):
    """A Redis for this test alone, used by the cache and Celery until the test ends."""
    url = embedded.redis_url(DIRECTORY)
    default = settings.CACHES["default"]
    location = url.replace("redis+socket://", "unix://", 1) + "?db=1"
    settings.CACHES = {**settings.CACHES, "default": {**default, "LOCATION": location}}
    saved = app.conf.broker_url, app.conf.result_backend
    _celery_on(url, url)
    _axes_handler_dropped()
    # Both really are on it: a probe key lands in its cache database, a message in its queue.
    cache.set("outage-probe", 1)
    assert redis.Redis(unix_socket_path=str(SOCKET), db=1).exists(cache.make_key("outage-probe"))
    with app.connection_for_write() as conn:
        assert conn.as_uri().endswith(str(SOCKET)), conn.as_uri()
    try:
        yield
    finally:
        _celery_on(*saved)
        _axes_handler_dropped()
        if embedded._redis_running(DIRECTORY):
            redis.Redis(unix_socket_path=str(SOCKET)).shutdown(nosave=True)


@pytest.fixture
def redis_stopped(own_redis):
    """Shut the test's Redis down (SHUTDOWN NOSAVE; its append-only file stays)."""
    try:
        redis.Redis(unix_socket_path=str(SOCKET)).shutdown(nosave=True)
    except redis.ConnectionError:
        pass  # the server closes the connection as it stops
    deadline = time.monotonic() + 10
    while embedded._redis_running(DIRECTORY):
        assert time.monotonic() < deadline, "Redis did not stop"
        time.sleep(0.05)
    yield


@pytest.mark.slow  # about 20 s: run early (tests/conftest.py, pytest_collection_modifyitems)
def test_pages_and_a_filing_work_while_redis_is_down(
    tenant_a, client_a, member_factory, django_capture_on_commit_callbacks, redis_stopped
):
    from django.test import Client

    with in_tenant(tenant_a):
        enabled_form()
    assert client_a.get("/").status_code == 200
    assert client_a.get("/demarches/formulaire/demande-test/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        filed = client_a.post(
            "/demarches/formulaire/demande-test/",
            {"action": "deposer", "f-objet": "Ma demande", **IDENTITY},
        )
    assert filed.status_code == 302
    tracked = client_a.get(filed["Location"])
    assert tracked.status_code == 200 and "en cours d'envoi" in tracked.content.decode()
    agent = Client(HTTP_HOST="test-a.localhost")
    member = member_factory(tenant_a)
    # A mistyped password: the form says so (axes and the rate limit count in Redis).
    mistyped = agent.post("/comptes/connexion/", {"username": member.email, "password": "faux"})
    assert mistyped.status_code == 200 and "incorrect" in mistyped.content.decode()
    agent.force_login(member)
    assert agent.get("/demarches/gestion/").status_code == 200
    with in_tenant(tenant_a):
        request = Request.objects.get()
        owed = OwedDocument.objects.get(kind="sve.aee", subject_id=request.pk)
        assert owed.issued_at is None  # owed, for the sweep once Redis is back
    # Redis is back: the sweep queues the acknowledgement for the worker.
    embedded.redis_url(DIRECTORY)
    broker = redis.Redis(unix_socket_path=str(SOCKET))
    queue = settings.CELERY_TASK_DEFAULT_QUEUE
    broker.delete(queue)
    with in_tenant(tenant_a), django_capture_on_commit_callbacks(execute=True):
        assert owed_sweep(older_than=timedelta(0)) == {"requeued": 1}
    assert broker.llen(queue) == 1
    broker.delete(queue)
