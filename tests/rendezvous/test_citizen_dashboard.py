""" "Mes rendez-vous" covers every commune where the citizen booked, and reads only those."""

from urllib.parse import urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from portal.audit.trail import ANONYMOUS
from rendezvous import services
from tests.conftest import PASSWORD, schemas_read
from tests.rendezvous.conftest import MONDAY, NOW, at, make_setup

pytestmark = pytest.mark.django_db


def _book(setup, citizen, hour=9):
    setup.activate()
    return services.appointment_book(
        acting_user=ANONYMOUS,
        appointment_type=setup.kind,
        place_id=setup.place.pk,
        starts_at=at(MONDAY, hour),
        now=NOW,
        mode="in_person",
        first_name="Camille",
        last_name="Usager",
        email=citizen.email,
        citizen_id=citizen.pk,
    )


def _page(client):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/rendez-vous/mes-rendez-vous/")
    assert response.status_code == 200
    return response.content.decode(), ctx.captured_queries


def test_appointments_of_every_commune_and_only_their_schemas(
    client_a, tenant_a, tenant_b, idle_members, member_factory, user_factory
):
    citizen, stranger = user_factory(), user_factory()
    setup_b = make_setup(tenant_b, [member_factory(tenant_b)], name="Inscription scolaire")
    _book(setup_b, citizen)
    idle = make_setup(idle_members[0], [member_factory(idle_members[0])], name="Autre chose")
    _book(idle, stranger)  # someone else's booking in a member the citizen never used
    connection.set_schema_to_public()
    assert client_a.login(email=citizen.email, password=PASSWORD)

    body, queries = _page(client_a)
    assert "Inscription scolaire" in body and "Commune B" in body
    assert "Autre chose" not in body
    # The manage link goes to B's site, where the appointment is.
    assert "http://test-b.localhost" in body and "/rendez-vous/mon-rdv/" in body
    everyone = [tenant_a, tenant_b, *idle_members]
    assert schemas_read(queries, everyone) == {"c_test_a", "c_test_b"}

    setup_a = make_setup(tenant_a, [member_factory(tenant_a)], name="Dépôt de passeport")
    _book(setup_a, citizen)
    _book(setup_b, citizen, hour=10)
    connection.set_schema_to_public()
    body, more = _page(client_a)
    assert "Dépôt de passeport" in body and body.count("Inscription scolaire") == 2
    assert schemas_read(more, everyone) == {"c_test_a", "c_test_b"}
    assert len(more) == len(queries)


def test_the_manage_link_of_another_commune_opens_there(
    client_a, client_b, tenant_b, member_factory, user_factory
):
    citizen = user_factory()
    _book(make_setup(tenant_b, [member_factory(tenant_b)]), citizen)
    connection.set_schema_to_public()
    assert client_a.login(email=citizen.email, password=PASSWORD)
    body, _ = _page(client_a)
    url = "http://test-b.localhost" + body.split('href="http://test-b.localhost', 1)[1]
    path = urlsplit(url.split('"', 1)[0]).path
    assert client_b.get(path).status_code == 200
    assert client_a.get(path).status_code == 400  # A has no such appointment
