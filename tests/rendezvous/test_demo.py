from rendezvous import demo, selectors
from rendezvous.models import AppointmentType, OpeningRule, Service
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
