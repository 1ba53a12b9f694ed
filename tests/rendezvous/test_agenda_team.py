"""Issue 24 §2: an agent sees the team's agenda, one colleague's or one place's, from the
page's filters (a booking made with a colleague was invisible; ?tous=1 had no link)."""

import pytest

from portal.audit.trail import ANONYMOUS
from rendezvous import services
from tests.conftest import in_tenant
from tests.rendezvous.conftest import MONDAY, NOW, at, make_setup

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen(time_machine):
    time_machine.move_to(NOW)


@pytest.fixture
def team(tenant_a, member_factory, contact):
    me = member_factory(tenant_a, first_name="Agnès", last_name="Moi")
    colleague = member_factory(tenant_a, first_name="Bruno", last_name="Collègue")
    setup = make_setup(tenant_a, [colleague])
    setup.activate()
    booked = services.appointment_book(
        acting_user=ANONYMOUS,
        appointment_type=setup.kind,
        place_id=setup.place.pk,
        starts_at=at(MONDAY, 9),
        **(contact | {"last_name": "Réservé-Chez-Bruno"}),
    )
    return me, colleague, setup, booked


def _agenda(client, **params):
    return client.get("/rendez-vous/gestion/", {"jour": MONDAY.isoformat(), **params})


def test_the_agenda_offers_the_team_view_and_filters_from_the_page(client_a, team):
    me, colleague, setup, _ = team
    client_a.force_login(me)
    mine = _agenda(client_a).content.decode()
    assert "Réservé-Chez-Bruno" not in mine  # my own agenda, by default
    assert 'name="agent"' in mine and "Toute l&#x27;équipe" in mine and 'name="lieu"' in mine
    assert "Bruno Collègue" in mine  # each agent by name
    team_view = _agenda(client_a, agent="tous").content.decode()
    assert "Réservé-Chez-Bruno" in team_view
    # The filters stay in the previous/next links.
    assert "agent=tous" in team_view.split("Précédent")[0].rsplit("<a", 1)[1]
    his = _agenda(client_a, agent=str(colleague.pk)).content.decode()
    assert "Réservé-Chez-Bruno" in his
    with in_tenant(setup.tenant):
        from rendezvous.models import Place

        elsewhere = Place.objects.create(name="Salle des fêtes", address="2 rue")
    there = _agenda(client_a, agent="tous", lieu=str(elsewhere.pk)).content.decode()
    assert "Réservé-Chez-Bruno" not in there


def test_an_agent_id_not_of_this_commune_falls_back_to_my_agenda(client_a, team, user_factory):
    me, *_ = team
    client_a.force_login(me)
    stranger = user_factory()
    page = _agenda(client_a, agent=str(stranger.pk)).content.decode()
    assert "Réservé-Chez-Bruno" not in page
