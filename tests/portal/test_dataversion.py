"""portal/dataversion.py against the server: any write raises a schema's version, a value
read while a writer is between its write and its commit is shown but never kept, and the
pages and accounts kept under a version follow writes of every kind at once."""

import pytest
from django.contrib.auth.models import update_last_login
from django.db import connection
from django.http import HttpResponse
from django.test.utils import CaptureQueriesContext

from portal import dataversion
from portal.accounts.models import User
from rendezvous.models import Appointment, Place
from sve.models import Request, Status
from tenants.middleware import HostMiddleware
from tenants.models import Membership
from tests.conftest import PASSWORD, in_tenant
from tests.rendezvous.conftest import MONDAY, at, make_setup
from tests.sve.test_query_counts import bulk_requests


def public_now() -> str:
    return dataversion.current(schema="public")


def _number(version: str) -> int:
    return int(version.split(".")[1])


@pytest.mark.django_db
def test_every_kind_of_write_raises_the_version(user_factory):
    seen = [public_now()]
    user = user_factory()
    seen.append(public_now())
    User.objects.filter(pk=user.pk).update(first_name="Camille")  # no signal, no save()
    seen.append(public_now())
    with connection.cursor() as cursor:
        cursor.execute("UPDATE accounts_user SET last_name = 'Durand' WHERE id = %s", [user.pk])
    seen.append(public_now())
    update_last_login(None, user)  # what a sign-in writes, alone: not a change of the account
    assert public_now() == seen[-1]
    User.objects.filter(pk=user.pk).delete()
    seen.append(public_now())
    numbers = [_number(v) for v in seen]
    assert numbers == sorted(set(numbers)), seen
    assert dataversion.probe(schema="public")[0] == seen[-1]


@pytest.mark.django_db(transaction=True)
def test_a_value_read_while_a_writer_is_in_flight_is_shown_but_never_kept(user_factory):
    user = user_factory(first_name="Avant")
    builds = []

    def build():
        builds.append(User.objects.get(pk=user.pk).first_name)
        return builds[-1]

    writer = connection.copy()
    try:
        writer.set_autocommit(False)
        with writer.cursor() as cursor:
            cursor.execute("UPDATE accounts_user SET first_name = 'Après' WHERE id = %s", [user.pk])
        # The writer has raised the version and not committed yet: what readers read now
        # is the old row, right for them but not for the version they read.
        assert dataversion.probe(schema="public")[1] is False
        assert dataversion.cached("test", build, public=True) == "Avant"
        assert dataversion.cached("test", build, public=True) == "Avant"
        assert builds == ["Avant", "Avant"]
        writer.commit()
    finally:
        writer.close()
    assert dataversion.probe(schema="public")[1] is True
    assert dataversion.cached("test", build, public=True) == "Après"
    assert dataversion.cached("test", build, public=True) == "Après"
    assert builds == ["Avant", "Avant", "Après"]  # kept once no writer was in flight


def _get(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    return response, [q["sql"] for q in ctx.captured_queries]


@pytest.mark.django_db(transaction=True)
def test_pages_and_the_account_kept_follow_writes_of_any_kind(client_a, tenant_a, member_factory):
    agent = member_factory(tenant_a, first_name="Agnès", last_name="Agent")
    with in_tenant(tenant_a):
        bulk_requests(40, assignee=agent)  # one page
        first = Request.objects.order_by("-received_at").first()
        setup = make_setup(tenant_a, [agent])
        Appointment.objects.create(
            type=setup.kind,
            agent_id=agent.pk,
            place=setup.place,
            mode="in_person",
            starts_at=at(MONDAY, 9),
            ends_at=at(MONDAY, 9, 30),
            blocked_until=at(MONDAY, 9, 30),
            status=Appointment.Status.BOOKED,
            first_name="Camille",
            last_name="Usager",
            email="camille@example.fr",
        )
    assert client_a.login(email=agent.email, password=PASSWORD)
    table, agenda = "/demarches/gestion/", f"/rendez-vous/gestion/?jour={MONDAY}&vue=semaine"
    # The team view filtered by place: its filters' choices (agents, places) are kept too.
    team = f"{agenda}&agent=tous&lieu={setup.place.pk}"
    for url in (table, agenda, team):
        client_a.get(url)  # fills the caches

    # Served from the caches: SET search_path and the host's lookup, which reads the
    # versions too; no query of the account, its membership, the requests, the appointments,
    # the agenda's agents and places.
    for url in (table, agenda, team):
        response, sql = _get(client_a, url)
        assert response.status_code == 200
        assert len(sql) == 2, sql

    # A bulk update (no signal, no save()) shows at once, then is served from the cache.
    with in_tenant(tenant_a):
        Request.objects.filter(pk=first.pk).update(status=Status.REJECTED)
        Place.objects.filter(pk=setup.place.pk).update(name="Maison des services")
    response, sql = _get(client_a, table)
    row = response.content.decode().split(f'value="{first.pk}"')[1].split("</tr>")[0]
    assert "Refusée" in row and len(sql) > 2
    assert _get(client_a, table)[1] == sql[:2]
    response, sql = _get(client_a, agenda)
    assert "Maison des services" in response.content.decode() and len(sql) > 2

    # The membership and the account kept in memory follow any write, too.
    Membership.objects.filter(user=agent).update(is_active=False)
    assert client_a.get(table).status_code == 404  # agents' pages hide from non-members
    Membership.objects.filter(user=agent).update(is_active=True)
    assert client_a.get(table).status_code == 200
    User.objects.filter(pk=agent.pk).update(is_active=False)
    assert client_a.get(table).status_code == 302  # signed out: to the login page


@pytest.mark.django_db
def test_the_versions_read_with_the_host_are_the_schemas_and_a_write_forgets_them(tenant_a, rf):
    seen = {}

    def view(request):
        seen["read"] = (dataversion.read_for_request(), dataversion.read_for_request(public=True))
        seen["now"] = (dataversion.current(), public_now())
        with in_tenant(tenant_a):
            Request.objects.filter(pk=0).update(status=Status.REJECTED)  # a write, no row
        seen["after"] = (dataversion.read_for_request(), dataversion.read_for_request(public=True))
        return HttpResponse()

    HostMiddleware(view)(rf.get("/", HTTP_HOST="test-a.localhost"))
    assert seen["read"] == seen["now"] and None not in seen["read"]
    assert seen["after"] == (None, None)  # read afresh from now on: it sees its own write


@pytest.mark.django_db
def test_the_versions_read_with_the_host_end_with_the_request(tenant_a, rf):
    """The tenant stays the connection's after the request: code run then (a test's, a
    command's) must not be served values kept under the request's versions."""
    seen = {}

    def view(request):
        seen["during"] = dataversion.read_for_request(public=True)
        return HttpResponse()

    HostMiddleware(view)(rf.get("/", HTTP_HOST="test-a.localhost"))
    assert seen["during"] is not None
    assert (dataversion.read_for_request(), dataversion.read_for_request(public=True)) == (
        None,
        None,
    )
