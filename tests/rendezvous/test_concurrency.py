"""The never-twice guarantee under real concurrency: threads, each with its own database
connection, race for one slot; the exclusion constraint lets exactly one win."""

import threading

import pytest
from django.db import connection, connections

from portal.audit.trail import ANONYMOUS
from rendezvous import selectors, services
from rendezvous.models import Appointment
from tests.rendezvous.conftest import MONDAY, NOW, at, make_setup

RACERS = 8


def _race(setup, contact, action):
    barrier = threading.Barrier(RACERS)
    results = []

    def run(n):
        try:
            connection.set_tenant(setup.tenant)
            barrier.wait(timeout=10)
            try:
                results.append(("ok", action(n)))
            except services.SlotUnavailable as error:
                results.append(("taken", error.messages[0]))
        except Exception as error:  # reported by the assertions below
            results.append(("error", repr(error)))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(RACERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


@pytest.mark.django_db(transaction=True)
def test_one_winner_when_racing_for_one_slot(tenant_a, member_factory, contact):
    agent = member_factory(tenant_a)
    setup = make_setup(tenant_a, [agent])
    try:
        results = _race(
            setup,
            contact,
            lambda n: services.appointment_book(
                acting_user=ANONYMOUS,
                appointment_type=setup.kind,
                place_id=setup.place.pk,
                starts_at=at(MONDAY, 9),
                now=NOW,
                **(contact | {"email": f"usager{n}@example.fr"}),
            ),
        )
        winners = [r for r in results if r[0] == "ok"]
        losers = [r for r in results if r[0] == "taken"]
        assert len(winners) == 1 and len(losers) == RACERS - 1, results
        assert all("vient d'être réservé" in message for _, message in losers)
        connection.set_tenant(tenant_a)
        assert Appointment.objects.filter(status="booked").count() == 1
        # The losers' fresh proposals: the next slots, the taken one excluded.
        fresh = selectors.next_free_slots(appointment_type=setup.kind, count=3, now=NOW)
        assert fresh[0].starts_at == at(MONDAY, 9, 30)
    finally:
        connection.set_tenant(tenant_a)
        Appointment.objects.all().delete()


@pytest.mark.django_db(transaction=True)
def test_holds_and_bookings_race_too(tenant_a, member_factory, contact):
    agent = member_factory(tenant_a)
    setup = make_setup(tenant_a, [agent])
    try:

        def action(n):
            if n % 2:
                return services.appointment_hold(
                    appointment_type=setup.kind,
                    place_id=setup.place.pk,
                    starts_at=at(MONDAY, 9),
                    now=NOW,
                )
            return services.appointment_book(
                acting_user=ANONYMOUS,
                appointment_type=setup.kind,
                place_id=setup.place.pk,
                starts_at=at(MONDAY, 9),
                now=NOW,
                **contact,
            )

        results = _race(setup, contact, action)
        assert sum(1 for r in results if r[0] == "ok") == 1, results
        assert len(results) == RACERS, results
        connection.set_tenant(tenant_a)
        assert Appointment.objects.exclude(status="cancelled").count() == 1
    finally:
        connection.set_tenant(tenant_a)
        Appointment.objects.all().delete()
