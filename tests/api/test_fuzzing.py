"""The API fuzzed against its own schema (issue 8): schemathesis generates requests for every
operation of ``/api/schema/`` on a member's host (fixed seed, bounded examples), sent to
the real Django application in-process on the test database, as an agent of the commune
(session and CSRF, as a browser would) and anonymously. No answer may be a server error,
nor fall outside the documented schema (status codes, content types, bodies).

Besides what the schema allows, about half the requests carry one hostile value (issue 22:
each reached a view or PostgreSQL as a server error) in a path parameter, the query or the
JSON body: NUL bytes, lone surrogates, Unicode digits ("²", "٣"), 5,000 digits, a 4,001-digit
JSON number, JSON nested 40 and 5,000 levels deep."""

import contextlib
import json
from collections import Counter

import pytest
import schemathesis
import werkzeug
from django.core.wsgi import get_wsgi_application
from django.test import Client
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
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


HOSTILE_TEXT = ["\x00", "a\x00b", "²", "٣", "-1", "9" * 5000]
# JSON only, as raw JSON text (HTTP cannot carry a lone surrogate in a path or a query;
# Python's own JSON encoder cannot nest 5,000 levels).
HOSTILE_JSON = [
    b'"\\ud800"',
    b'"x\\udc00"',
    b"9" * 4001,
    b"[" * 40 + b"]" * 40,
    b"[" * 5000 + b"]" * 5000,
]
HOSTILE = st.none() | st.tuples(
    st.sampled_from(["path", "query", "body", "whole body"]),
    st.integers(min_value=0, max_value=20),
    st.sampled_from(HOSTILE_TEXT + HOSTILE_JSON),
)
_SPOT = "__hostile__"


def _with_hostile(case, hostile) -> None:
    """Put the hostile value in the case: at ``location``, in its ``index``-th field (a
    field the schema names, or "q" in an empty query). A JSON body is sent as raw text."""
    if hostile is None or case.path == "/api/schema/":
        # The schema's own document: DRF answers an unknown ``format`` with a 404 in the
        # schema's content type, not the documented JSON.
        return
    location, index, value = hostile
    is_json = (case.media_type or "").endswith("json")
    raw = value if isinstance(value, bytes) else json.dumps(value).encode()
    if location == "body" and is_json and isinstance(case.body, dict) and case.body:
        names = sorted(case.body)
        body = {**case.body, names[index % len(names)]: _SPOT}
        case.body = json.dumps(body).encode().replace(f'"{_SPOT}"'.encode(), raw)
    elif location == "whole body" and is_json:
        case.body = raw
    elif location == "path" and case.path_parameters:
        names = sorted(case.path_parameters)
        text = "\x00" if isinstance(value, bytes) else value
        case.path_parameters = {**case.path_parameters, names[index % len(names)]: text}
    else:
        query = dict(case.query or {})
        names = sorted(query) or ["q"]
        query[names[index % len(names)]] = "\x00" if isinstance(value, bytes) else value
        case.query = query


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
    client.get("/comptes/mon-compte/")  # a page with forms sets the CSRF cookie (the login
    # page of a member host is the operator's single sign-on since issue 12)
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
    @given(case=operation.as_strategy(), hostile=HOSTILE)
    def run(case, hostile):
        _with_hostile(case, hostile)
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
