"""Agents, citizens and a real Celery worker acting at the same time (issue 8).

Seen on the demo: the page an agent lands on after "Qualifier" answered 500 (deadlock on
``sve_request``) while the worker issued the AR; 4 clients filing through the API at once
got 500s (deadlock on ``sve_formversion``) while the worker issued AEEs. Each test here
drives real threads (each with its own database connection) against a real worker process.
"""

import threading
import time

import pytest
from django.db import connection, transaction
from django.test import Client
from rest_framework.test import APIClient

from sve.journal import journal_append
from sve.models import Document, Request, Status
from tests.conftest import PASSWORD, in_tenant
from tests.sve.conftest import IDENTITY, submit

pytestmark = pytest.mark.django_db(transaction=True)


def documents_wait(*, kind: str, count: int, worker, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while Document.objects.filter(kind=kind).count() < count:
        assert worker.poll() is None, "the worker died"
        assert time.monotonic() < deadline, (
            f"{Document.objects.filter(kind=kind).count()} of {count} {kind} issued"
        )
        time.sleep(0.3)


def run_threads(target, n: int) -> None:
    errors: list[BaseException] = []

    def wrapped(i):
        try:
            target(i)
        except BaseException as exc:  # noqa: BLE001 - re-raised in the main thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=wrapped, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    if errors:
        raise errors[0]


def agent_client(agent) -> Client:
    client = Client(HTTP_HOST="test-a.localhost", raise_request_exception=False)
    assert client.login(email=agent.email, password=PASSWORD)
    return client


def test_agent_opens_requests_while_the_worker_issues_ar_and_decisions(
    worker_process, tenant_a, form_a, agent_a, member_factory
):
    """Two agents qualify, then decide, requests and read each one at once (the landing
    page, several times) while the worker issues the AR and the decision: never a 500."""
    with in_tenant(tenant_a):
        ids = [submit(form_a).pk for _ in range(6)]
        documents_wait(kind=Document.Kind.AEE, count=6, worker=worker_process)
    agents = [agent_a, member_factory(tenant_a)]
    statuses: list[int] = []

    def act(i):
        client = agent_client(agents[i])
        for pk in ids[i::2]:
            url = f"/demarches/gestion/demandes/{pk}/"
            statuses.append(client.post(url + "qualifier/", {"regime": "sva"}).status_code)
            for _ in range(4):
                statuses.append(client.get(url).status_code)
            statuses.append(
                # Confirmed, as from the letter's preview (issue 24 §2).
                client.post(
                    url + "decider/", {"decision": "accept", "reasons": "", "confirmed": "True"}
                ).status_code
            )
            for _ in range(4):
                statuses.append(client.get(url).status_code)

    run_threads(act, 2)
    assert statuses and all(code < 500 for code in statuses), statuses
    with in_tenant(tenant_a):
        documents_wait(kind=Document.Kind.DECISION, count=6, worker=worker_process)
        assert set(Request.objects.values_list("status", flat=True)) == {Status.ACCEPTED}
        for kind in (Document.Kind.AEE, Document.Kind.AR, Document.Kind.DECISION):
            assert Document.objects.filter(kind=kind).count() == 6, kind


def test_four_clients_file_through_the_api_while_the_worker_issues_aees(
    worker_process, tenant_a, form_a, settings
):
    """4 clients × 5 filings through the API while the worker locks requests to issue
    their AEEs: 20 × 201 and 20 AEEs, one each."""
    settings.PORTAL_RATE_LIMITS = {}  # 20 filings from one address: not what is tested here
    statuses: list[int] = []

    def file(i):
        client = APIClient(HTTP_HOST="test-a.localhost", raise_request_exception=False)
        for n in range(5):
            response = client.post(
                "/api/sve/formulaires/demande-test/demandes/",
                {**IDENTITY, "data": {"objet": f"client {i} demande {n}"}},
                format="json",
            )
            statuses.append(response.status_code)

    run_threads(file, 4)
    assert statuses == [201] * 20, statuses
    with in_tenant(tenant_a):
        documents_wait(kind=Document.Kind.AEE, count=20, worker=worker_process)
        time.sleep(2)  # a duplicate would come now
        assert Document.objects.filter(kind=Document.Kind.AEE).count() == 20
        assert Request.objects.filter(documents__kind=Document.Kind.AEE).distinct().count() == 20


def test_opening_a_request_does_not_wait_on_a_held_journal(tenant_a, form_a, agent_a):
    """A read never waits on a worker: while another transaction holds the journal anchor,
    the agent's page still answers (its "opened" entry is skipped after a short wait)."""
    with in_tenant(tenant_a):
        req = submit(form_a)
    held, release = threading.Event(), threading.Event()

    def hold(_):
        with in_tenant(tenant_a), transaction.atomic():
            journal_append(request=req, actor_label="système", action="hold")  # the anchor
            held.set()
            release.wait(60)

    holder = threading.Thread(target=run_threads, args=(hold, 1))
    holder.start()
    assert held.wait(30)
    try:
        client = agent_client(agent_a)
        started = time.monotonic()
        response = client.get(f"/demarches/gestion/demandes/{req.pk}/")
        elapsed = time.monotonic() - started
    finally:
        release.set()
        holder.join(timeout=60)
    assert response.status_code == 200 and elapsed < 15
    with in_tenant(tenant_a):
        assert not req.journal.filter(action="opened").exists()
        client.get(f"/demarches/gestion/demandes/{req.pk}/")
        assert req.journal.filter(action="opened").count() == 1
