"""The hours rule (issue 11): a place's weekly hours are the one text citizens read (place
cards, booking pages, the commune's home) and bound every slot offered there."""

from datetime import time
from types import SimpleNamespace

import pytest
from django.db import connection

from portal.audit.trail import ANONYMOUS, SYSTEM_COMMAND
from rendezvous import selectors, services
from rendezvous.forms import RuleForm
from rendezvous.hours import NBSP, hours_lines, hours_parse, hours_text
from rendezvous.models import Appointment, Mode, OpeningRule, Place, PlaceHours
from tests.conftest import PASSWORD
from tests.rendezvous.conftest import MONDAY, NOW, at

H = NBSP  # French typography: non-breaking spaces in "8 h 30" and before ":"


@pytest.fixture(autouse=True)
def _frozen(time_machine):
    time_machine.move_to(NOW)


def _hours(place: Place, hours) -> None:
    PlaceHours.objects.filter(place=place).delete()
    services.place_save(acting_user=SYSTEM_COMMAND, place=place, hours=hours)


# --- the text -----------------------------------------------------------------------------


def test_identical_days_are_grouped_in_week_order_with_french_typography():
    morning = [(time(8, 30), time(12))]
    hours = {0: morning, 1: morning, 3: morning, 2: [(time(14), time(17))]}
    assert hours_lines(hours) == [
        f"Lundi, mardi et jeudi{H}: 8{H}h{H}30 – 12{H}h",
        f"Mercredi{H}: 14{H}h – 17{H}h",
    ]


def test_three_days_in_a_row_or_more_read_du_au_and_ranges_join_with_et():
    day = [(time(13, 30), time(17)), (time(8, 30), time(12))]  # given out of order
    hours = {d: day for d in range(5)} | {5: [(time(9), time(12))]}
    assert hours_text(hours) == (
        f"Du lundi au vendredi{H}: 8{H}h{H}30 – 12{H}h et 13{H}h{H}30 – 17{H}h ; "
        f"Samedi{H}: 9{H}h – 12{H}h"
    )


def test_two_days_read_et_and_no_hours_read_nothing():
    assert hours_lines({1: [(time(9), time(12))], 3: [(time(9), time(12))]}) == [
        f"Mardi et jeudi{H}: 9{H}h – 12{H}h"
    ]
    assert hours_lines({}) == [] and hours_lines({4: []}) == []


def test_the_former_free_text_is_read_only_when_written_as_the_portal_writes_it():
    hours = {d: [(time(8, 30), time(12)), (time(13, 30), time(17))] for d in range(5)}
    assert hours_parse(hours_text(hours)) == hours
    assert hours_parse("Lundi au vendredi : 8 h 30 – 12 h et 13 h 30 – 17 h") == hours
    assert hours_parse("Mardi et jeudi : 9 h – 12 h") == {
        1: [(time(9), time(12))],
        3: [(time(9), time(12))],
    }
    for unreadable in (
        "9-17",
        "Tous les jours 8 h – 20 h",
        "Lundi au vendredi, 9 h – 12 h",
        "Lundi : 12 h – 9 h",
        "Lundi : 9 h – 12 h et 11 h – 14 h",
        "Lundi : 9 h – 12 h\nLundi : 14 h – 16 h",
        "",
    ):
        assert hours_parse(unreadable) is None, unreadable


# --- the place's form ---------------------------------------------------------------------


def _admin(setup, client, member_factory):
    from tenants.models import Membership

    admin = member_factory(setup.tenant, role=Membership.Role.ADMIN)
    assert client.login(email=admin.email, password=PASSWORD)


def _post(place: Place, **hours) -> dict:
    data = {"name": place.name, "address": place.address, "access_info": ""}
    return data | hours


def test_admin_enters_hours_in_a_row_per_day_and_citizens_read_them(
    rdv_a, client_a, member_factory
):
    _admin(rdv_a, client_a, member_factory)
    url = f"/rendez-vous/gestion/configuration/lieux/{rdv_a.place.pk}/"
    assert client_a.get(url).status_code == 200
    response = client_a.post(
        url,
        _post(
            rdv_a.place,
            is_reception="on",
            d0_0_opens="08:30",
            d0_0_closes="12:00",
            d0_1_opens="13:30",
            d0_1_closes="17:00",
            d2_0_opens="14:00",
            d2_0_closes="17:00",
        ),
    )
    assert response.status_code == 302
    line_monday = f"Lundi{H}: 8{H}h{H}30 – 12{H}h et 13{H}h{H}30 – 17{H}h"
    line_wednesday = f"Mercredi{H}: 14{H}h – 17{H}h"
    assert selectors.place_hours(place_ids=[rdv_a.place.pk])[rdv_a.place.pk] == {
        0: [(time(8, 30), time(12)), (time(13, 30), time(17))],
        2: [(time(14), time(17))],
    }
    # One generated text: the place card on the booking page and the commune's home.
    client_a.logout()
    booking = client_a.get(f"/rendez-vous/type/{rdv_a.kind.pk}/").content.decode()
    home = client_a.get("/").content.decode()
    for html in (booking, home):
        assert line_monday in html and line_wednesday in html
    assert "Du lundi au dimanche" not in booking + home


def test_inverted_overlapping_or_half_filled_ranges_are_refused_in_french_and_nothing_saved(
    rdv_a, client_a, member_factory
):
    _admin(rdv_a, client_a, member_factory)
    url = f"/rendez-vous/gestion/configuration/lieux/{rdv_a.place.pk}/"
    before = selectors.place_hours(place_ids=[rdv_a.place.pk])
    response = client_a.post(
        url,
        _post(rdv_a.place, name="Nouveau nom")
        | {
            "d0_0_opens": "12:00",
            "d0_0_closes": "08:30",
            "d1_0_opens": "08:30",
            "d1_0_closes": "12:00",
            "d1_1_opens": "11:00",
            "d1_1_closes": "14:00",
            "d3_0_opens": "09:00",
        },
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert f"La fermeture (8{H}h{H}30) doit suivre l&#x27;ouverture (12{H}h)" in html
    assert f"Les plages 8{H}h{H}30 – 12{H}h et 11{H}h – 14{H}h se chevauchent." in html
    assert "Plage 1 : indiquez l&#x27;ouverture et la fermeture." in html
    rdv_a.place.refresh_from_db()
    assert rdv_a.place.name == "Mairie annexe"
    assert selectors.place_hours(place_ids=[rdv_a.place.pk]) == before


def test_a_place_without_hours_offers_no_slot_and_its_admin_pages_say_why(
    rdv_a, client_a, member_factory
):
    PlaceHours.objects.filter(place=rdv_a.place).delete()
    Place.objects.filter(pk=rdv_a.place.pk).update(former_hours_text="Du lundi au samedi, le matin")
    assert selectors.free_slots(appointment_type=rdv_a.kind, start=MONDAY, end=MONDAY) == []
    _admin(rdv_a, client_a, member_factory)
    listing = client_a.get("/rendez-vous/gestion/configuration/lieux/").content.decode()
    assert "Aucun créneau n'y est proposé" in listing
    page = client_a.get(f"/rendez-vous/gestion/configuration/lieux/{rdv_a.place.pk}/")
    assert "Du lundi au samedi, le matin" in page.content.decode()


# --- the slots ----------------------------------------------------------------------------


def _monday_starts(setup, **kwargs):
    return [
        s.starts_at
        for s in selectors.free_slots(
            appointment_type=setup.kind, start=MONDAY, end=MONDAY, **kwargs
        )
    ]


def test_a_slot_ending_exactly_at_closing_is_offered_one_overlapping_it_is_not(rdv_a):
    # The agent's opening is 9 h - 12 h on Mondays; slots last 30 minutes.
    _hours(rdv_a.place, {0: [(time(9), time(12))]})
    assert _monday_starts(rdv_a)[-1] == at(MONDAY, 11, 30)  # ends at 12 h, closing time
    _hours(rdv_a.place, {0: [(time(9), time(11, 50))]})
    starts = _monday_starts(rdv_a)
    assert starts[-1] == at(MONDAY, 11)  # 11 h 30 - 12 h would overlap closing
    assert at(MONDAY, 11, 30) not in starts


def test_slots_stay_inside_the_hours_whatever_the_agent_opening_and_the_mode(rdv_a):
    # Opening 9 h - 12 h, hours 9 h 30 - 10 h 30 and 11 h - 12 h (a break at 10 h 30).
    _hours(rdv_a.place, {0: [(time(9, 30), time(10, 30)), (time(11), time(12))]})
    assert _monday_starts(rdv_a) == [
        at(MONDAY, 9, 30),
        at(MONDAY, 10),
        at(MONDAY, 11),
        at(MONDAY, 11, 30),
    ]
    # The type is offered in visio too: same slots (the opening belongs to the place).
    assert Mode.VISIO in rdv_a.kind.modes
    # Closed on Mondays: nothing, though the agent's opening is still there.
    _hours(rdv_a.place, {1: [(time(9), time(12))]})
    assert _monday_starts(rdv_a) == []


def test_public_holidays_stay_closed_inside_the_hours(rdv_a):
    christmas = MONDAY.replace(day=25)  # Friday 25 December 2026
    OpeningRule.objects.filter(pk=rdv_a.rules[0].pk).update(weekday=christmas.weekday())
    day_before = MONDAY.replace(day=18)
    assert selectors.free_slots(appointment_type=rdv_a.kind, start=day_before, end=day_before)
    assert selectors.free_slots(appointment_type=rdv_a.kind, start=christmas, end=christmas) == []


def test_an_hours_change_never_deletes_a_booking_and_the_agenda_still_shows_it(rdv_a, contact):
    booked = services.appointment_book(
        acting_user=ANONYMOUS,
        appointment_type=rdv_a.kind,
        place_id=rdv_a.place.pk,
        starts_at=at(MONDAY, 9),
        **contact,
    )
    _hours(rdv_a.place, {1: [(time(14), time(16))]})  # now closed on Mondays
    booked.refresh_from_db()
    assert booked.status == Appointment.Status.BOOKED
    assert list(selectors.agenda(start=MONDAY, end=MONDAY, agent_id=rdv_a.agent.pk)) == [booked]


# --- the agents' openings -----------------------------------------------------------------


def _rule_form(setup, place, weekday, start, end):
    return RuleForm(
        {
            "agent_id": setup.agent.pk,
            "place": place.pk,
            "types": [setup.kind.pk],
            "weekday": weekday,
            "start_time": start,
            "end_time": end,
            "valid_from": "2026-12-01",
        },
        agents={setup.agent.pk: setup.agent},
    )


def test_an_opening_outside_the_place_hours_is_refused_with_the_hours_in_the_message(rdv_a):
    solidarity = services.place_save(
        acting_user=SYSTEM_COMMAND,
        place=Place(name="Espace solidarités", address="2 rue des Écoles"),
        hours={1: [(time(9), time(12))], 3: [(time(9), time(12))]},
    )
    form = _rule_form(rdv_a, solidarity, 1, "14:00", "16:00")
    assert not form.is_valid()
    message = form.non_field_errors()[0]
    assert message.startswith(f"« Espace solidarités » est ouvert le mardi : 9{H}h – 12{H}h.")
    assert f"14{H}h – 16{H}h" in message
    closed = _rule_form(rdv_a, solidarity, 2, "09:00", "12:00")
    assert not closed.is_valid()
    assert "n'a pas d'horaires le mercredi" in closed.non_field_errors()[0]
    assert _rule_form(rdv_a, solidarity, 3, "09:00", "12:00").is_valid()
    assert _rule_form(rdv_a, solidarity, 3, "10:00", "11:30").is_valid()


def test_openings_left_outside_by_an_hours_change_are_flagged_on_the_list(
    rdv_a, client_a, member_factory
):
    _hours(rdv_a.place, {0: [(time(10), time(12))]})
    [rule] = selectors.rules_checked(OpeningRule.objects.all())
    assert rule.outside_hours
    _admin(rdv_a, client_a, member_factory)
    html = client_a.get("/rendez-vous/gestion/configuration/plages/").content.decode()
    assert "Hors des horaires du lieu" in html


# --- the data migration -------------------------------------------------------------------


def test_the_migration_structures_readable_texts_and_keeps_the_others_for_the_admin(tenant_a):
    from importlib import import_module

    from django.apps import apps

    migration = import_module("rendezvous.migrations.0005_place_weekly_hours")
    connection.set_tenant(tenant_a)
    mairie = Place.objects.create(name="Mairie", address="1 place", is_reception=False)
    readable = Place.objects.create(
        name="Espace solidarités",
        address="2 rue",
        former_hours_text="Mardi et jeudi : 9 h – 12 h",
    )
    unreadable = Place.objects.create(
        name="Médiathèque", address="3 rue", former_hours_text="Tous les jours sauf l'été"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE public.tenants_collectivite SET opening_hours = %s WHERE schema_name = %s",
            ["Lundi au vendredi : 8 h 30 – 12 h", tenant_a.schema_name],
        )
    migration.structure_hours(apps, SimpleNamespace(connection=connection))
    hours = selectors.place_hours(place_ids=[mairie.pk, readable.pk, unreadable.pk])
    assert hours[readable.pk] == {1: [(time(9), time(12))], 3: [(time(9), time(12))]}
    assert hours[mairie.pk] == {d: [(time(8, 30), time(12))] for d in range(5)}
    assert unreadable.pk not in hours
    unreadable.refresh_from_db()
    mairie.refresh_from_db()
    assert unreadable.former_hours_text == "Tous les jours sauf l'été"
    assert mairie.is_reception


def test_without_a_mairie_place_the_migration_makes_one_to_carry_the_commune_hours(tenant_a):
    from importlib import import_module

    from django.apps import apps

    migration = import_module("rendezvous.migrations.0005_place_weekly_hours")
    connection.set_tenant(tenant_a)
    with connection.cursor() as cursor:
        cursor.execute(
            """UPDATE public.tenants_collectivite SET opening_hours = %s, contact_address = %s
                WHERE schema_name = %s""",
            ["Le matin, sauf le mercredi", "1 place de la Mairie", tenant_a.schema_name],
        )
    migration.structure_hours(apps, SimpleNamespace(connection=connection))
    reception = Place.objects.get(is_reception=True)
    assert reception.name == f"Mairie de {tenant_a.name}"
    assert reception.address == "1 place de la Mairie"
    # Not readable: kept for the admin to re-enter, and no hours (so no slot) meanwhile.
    assert reception.former_hours_text == "Le matin, sauf le mercredi"
    assert selectors.place_hours(place_ids=[reception.pk]) == {}


def test_marking_another_place_as_the_reception_moves_the_mark_and_the_home_hours(
    rdv_a, client_a, member_factory
):
    _admin(rdv_a, client_a, member_factory)
    Place.objects.filter(pk=rdv_a.place.pk).update(is_reception=True)
    other = services.place_save(
        acting_user=SYSTEM_COMMAND,
        place=Place(name="Espace solidarités", address="2 rue des Écoles"),
        hours={1: [(time(9), time(12))]},
    )
    response = client_a.post(
        f"/rendez-vous/gestion/configuration/lieux/{other.pk}/",
        _post(other, is_reception="on", d1_0_opens="09:00", d1_0_closes="12:00"),
    )
    assert response.status_code == 302
    assert list(Place.objects.filter(is_reception=True)) == [other]
    client_a.logout()
    home = client_a.get("/").content.decode()
    assert f"Mardi{H}: 9{H}h – 12{H}h" in home and "Du lundi au dimanche" not in home


def test_the_places_and_openings_lists_show_hours_in_a_fixed_number_of_queries(
    rdv_a, client_a, member_factory, queries
):
    _admin(rdv_a, client_a, member_factory)

    def counts():
        result = {}
        for section in ("lieux", "plages"):
            with queries() as q:
                response = client_a.get(f"/rendez-vous/gestion/configuration/{section}/")
            assert response.status_code == 200
            result[section] = q.count
        return result

    counts()  # a session's first staff page writes its staff-session mark (identity.staff_access)
    before = counts()
    for n in range(3):
        place = services.place_save(
            acting_user=SYSTEM_COMMAND,
            place=Place(name=f"Lieu {n}", address=f"{n} rue"),
            hours={0: [(time(8), time(12))], 2: [(time(14), time(17))]},
        )
        OpeningRule.objects.create(
            agent_id=rdv_a.agent.pk,
            place=place,
            weekday=0,
            start_time=time(9),
            end_time=time(12) if n else time(13),  # the first one outside the hours
            valid_from=MONDAY,
        )
    assert counts() == before
    html = client_a.get("/rendez-vous/gestion/configuration/lieux/").content.decode()
    assert html.count(f"Mercredi{H}: 14{H}h – 17{H}h") == 3
