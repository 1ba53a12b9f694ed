"""The API fuzzed against its own schema (issue 8): schemathesis generates requests for every
operation of ``/api/schema/`` on a member's host (fixed seed, bounded examples), sent to
the real Django application in-process on the test database, as an agent of the commune
(session and CSRF, as a browser would) and anonymously. No answer may be a server error,
nor fall outside the documented schema (status codes, content types, bodies)."""

import contextlib
from collections import Counter

import pytest
import schemathesis
import werkzeug
from django.core.wsgi import get_wsgi_application
from django.test import Client
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import checks

from tenants.models import Membership
from tests.conftest import PASSWORD, in_tenant
from tests.rendezvous.conftest import make_setup
from tests.sve.conftest import enabled_form, submit

HOST = "test-a.localhost"
# Bounded: the whole run stays well under two minutes on two cores.
EXAMPLES_PER_OPERATION = 25
CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
]


@pytest.fixture
def stocked(tenant_a, member_factory, settings):
    """A form, a submitted request and an appointment type in the commune, and no rate
    limits (429 is documented, but would hide the rest)."""
    settings.PORTAL_RATE_LIMITS = {}
    agent = member_factory(tenant_a, role=Membership.Role.ADMIN)
    make_setup(tenant_a, [agent])
    with in_tenant(tenant_a):
        form = enabled_form()
        submit(form)
    return agent


def _browser(app, agent=None) -> tuple[werkzeug.Client, dict]:
    """A WSGI client for the tenant's host and the headers its requests carry: signed in as
    ``agent`` (session and CSRF cookies on that host, the CSRF header), or anonymous."""
    browser = werkzeug.Client(app)
    if agent is None:
        return browser, {}
    client = Client(HTTP_HOST=HOST, enforce_csrf_checks=True)
    assert client.login(username=agent.email, password=PASSWORD)
    client.get("/comptes/connexion/")  # sets the CSRF cookie
    for name, morsel in client.cookies.items():
        browser.set_cookie(name, morsel.value, domain=HOST)
    return browser, {"X-CSRFToken": client.cookies["csrftoken"].value}


def _fuzz(operation, *, browser, headers: dict, statuses: Counter) -> list[str]:
    failures: list[str] = []

    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        derandomize=True,  # a fixed seed: the same requests on every run
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy())
    def run(case):
        response = case.call(base_url=f"http://{HOST}", headers=headers, session=browser)
        statuses[response.status_code] += 1
        try:
            case.validate_response(response, checks=CHECKS)
        except Exception as error:  # noqa: BLE001 — collected, reported together below
            failures.append(f"{case.method} {case.formatted_path}: {str(error)[:600]}")

    try:
        run()
    except Exception as error:  # noqa: BLE001 — collected, reported together below
        failures.append(f"{operation.label}: {str(error)[:1500]}")
    return failures


@contextlib.contextmanager
def _connection_kept():
    """As Django's test client does: the WSGI handler must not close the test's database
    connection (and its transaction) at the end of each request. (The test client itself
    connects these signals again after each of its requests: enter this after them.)"""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.mark.parametrize("as_agent", [True, False], ids=["agent", "anonymous"])
def test_the_api_answers_only_what_its_schema_documents(stocked, as_agent):
    loaded = Client(HTTP_HOST=HOST).get("/api/schema/", {"format": "json"})
    assert loaded.status_code == 200
    schema = schemathesis.openapi.from_dict(loaded.json())
    schema.app = get_wsgi_application()  # in-process, on the test database
    browser, headers = _browser(schema.app, stocked if as_agent else None)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 11
    failures, statuses = [], Counter()
    with _connection_kept():
        for operation in operations:
            failures += _fuzz(operation, browser=browser, headers=headers, statuses=statuses)
    assert not failures, "\n".join(failures[:30])
    # The run reached the views, not only the router: answers of several kinds came back.
    assert sum(statuses.values()) >= 10 * len(operations), statuses
    assert statuses[200] and statuses[400] and statuses[404], statuses
    if as_agent:  # signed in: the agent's actions are reached, not refused at the door
        assert statuses[403] == 0, statuses
    print(dict(statuses))
