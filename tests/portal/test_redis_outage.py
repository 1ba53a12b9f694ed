"""Redis down degrades, it does not break (issue 22 item 7: every page answered 500). The
real embedded Redis is shut down during the test, then started again."""

import os
import time
from datetime import timedelta

import pytest
import redis
from django.conf import settings

from portal import embedded
from portal.owed.models import OwedDocument
from portal.owed.services import owed_sweep
from sve.models import Request
from tests.conftest import in_tenant
from tests.sve.conftest import enabled_form

# It stops the Redis every test of the run shares: `make test` runs it alone, first.
pytestmark = [pytest.mark.django_db, pytest.mark.alone]

IDENTITY = {
    "id-last_name": "Durand",
    "id-first_name": "Alix",
    "id-postal_address": "2 place de l'Église",
    "id-email": "alix@example.fr",
}


@pytest.fixture
def redis_stopped():
    """Shut the embedded Redis down (SHUTDOWN NOSAVE; its append-only file stays) for the
    test, and start it again whatever happens."""
    if os.environ.get("REDIS_URL") != f"redis+socket://{embedded.REDIS_SOCKET}":
        pytest.skip("needs the embedded Redis")
    try:
        redis.Redis(unix_socket_path=str(embedded.REDIS_SOCKET)).shutdown(nosave=True)
    except redis.ConnectionError:
        pass  # the server closes the connection as it stops
    deadline = time.monotonic() + 10
    while embedded._redis_running():
        assert time.monotonic() < deadline, "Redis did not stop"
        time.sleep(0.05)
    try:
        yield
    finally:
        embedded.redis_url()


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
    agent.force_login(member_factory(tenant_a))
    assert agent.get("/demarches/gestion/").status_code == 200
    with in_tenant(tenant_a):
        request = Request.objects.get()
        owed = OwedDocument.objects.get(kind="sve.aee", subject_id=request.pk)
        assert owed.issued_at is None  # owed, for the sweep once Redis is back
    # Redis is back: the sweep queues the acknowledgement for the worker.
    embedded.redis_url()
    broker = redis.Redis(unix_socket_path=str(embedded.REDIS_SOCKET))
    queue = settings.CELERY_TASK_DEFAULT_QUEUE
    broker.delete(queue)
    with in_tenant(tenant_a), django_capture_on_commit_callbacks(execute=True):
        assert owed_sweep(older_than=timedelta(0)) == {"requeued": 1}
    assert broker.llen(queue) == 1
    broker.delete(queue)
