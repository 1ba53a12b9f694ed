from datetime import time

from rendezvous import demo, selectors
from rendezvous.models import AppointmentType, OpeningRule, Place, Service
from tests.conftest import in_tenant


def test_demo_seed_is_idempotent_and_offers_slots(tenant_a, member_factory):
    member_factory(tenant_a)
    with in_tenant(tenant_a):
        demo.seed_tenant(tenant_a)
        counts = (
            Service.objects.count(),
            AppointmentType.objects.count(),
            OpeningRule.objects.count(),
        )
        demo.seed_tenant(tenant_a)
        assert (
            Service.objects.count(),
            AppointmentType.objects.count(),
            OpeningRule.objects.count(),
        ) == counts
        kind = AppointmentType.objects.get(name__startswith="Entretien")
        assert selectors.next_free_slots(appointment_type=kind, count=3)


def test_demo_places_post_hours_their_slots_respect(tenant_a, member_factory):
    """Issue 11: the Espace solidarités is open Tuesday and Thursday 9 h - 12 h and offers
    its interviews then; the mairie is the reception whose hours the home shows."""
    member_factory(tenant_a)
    with in_tenant(tenant_a):
        demo.seed_tenant(tenant_a)
        ccas = Place.objects.get(name="Espace solidarités")
        [mairie] = selectors.commune_hours()
        assert mairie.is_reception and mairie.name.startswith("Mairie de")
        assert mairie.hours_lines == [
            "Du lundi au vendredi\u00a0: 8\u00a0h\u00a030 – 12\u00a0h et 13\u00a0h\u00a030 – 17\u00a0h"
        ]
        [described] = selectors.places_described([ccas])
        assert described.hours_lines == ["Mardi et jeudi\u00a0: 9\u00a0h – 12\u00a0h"]
        kind = AppointmentType.objects.get(name__startswith="Entretien")
        slots = selectors.next_free_slots(appointment_type=kind, count=30)
        assert slots
        for slot in slots:
            local = slot.starts_at.astimezone(selectors.TZ)
            assert local.weekday() in (1, 3) and slot.place_id == ccas.pk
            assert time(9) <= local.time() and slot.ends_at.astimezone(selectors.TZ).time() <= time(
                12
            )
