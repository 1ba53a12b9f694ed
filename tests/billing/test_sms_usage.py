"""Issue 28: the billing campaign bills the SMS a member sent in the year as a usage line
(segments x the tariff's unit price), from the rows the sending wrote."""

import pytest
from django.db import connection

from billing.liquidation import SMS_SERVICE_CODE, liquidate
from billing.models import ConventionPackage, Tariff, TariffLine
from portal.audit.trail import ANONYMOUS
from rendezvous import services, sms
from tests.rendezvous.conftest import MONDAY, NOW, at, make_setup
from tests.rendezvous.test_sms import KEY, stand_in_start

pytestmark = pytest.mark.django_db


def test_sms_sent_are_billed_as_a_usage_line(
    tenant_a, member_factory, convention_for, issuer, packages_model, settings, time_machine
):
    time_machine.move_to(NOW)
    process, stand_in = stand_in_start()
    settings.SMS_API_KEY, settings.SMS_API_URL = KEY, stand_in.url
    try:
        setup = make_setup(tenant_a, [member_factory(tenant_a)])
        for hour in (9, 10, 11):
            appointment = services.appointment_book(
                acting_user=ANONYMOUS,
                appointment_type=setup.kind,
                place_id=setup.place.pk,
                starts_at=at(MONDAY, hour),
                now=NOW,
                mode="in_person",
                first_name="Camille",
                last_name="Usager",
                email="camille@example.fr",
                phone="06 12 34 56 78",
            )
            assert sms.sms_issue(appointment_id=appointment.pk, kind=sms.CONFIRMATION).segments
    finally:
        process.terminate()
        process.wait(timeout=10)
    connection.set_schema_to_public()
    tariff = Tariff.objects.get(model=packages_model, year=2026)
    TariffLine.objects.create(
        tariff=tariff,
        kind="service",
        code=SMS_SERVICE_CODE,
        label="SMS aux usagers",
        unit_label="SMS",
        amount_cents=6,
        vat_rate_bp=2000,
    )
    convention = convention_for(tenant_a, packages_model)
    ConventionPackage.objects.create(convention=convention, package_code="technologie")
    liquidation = liquidate(year=2026, model_ids=[packages_model.pk])
    [bill] = [b for b in liquidation.members if b.convention.pk == convention.pk]
    assert bill.errors == []
    [line] = [line for line in bill.lines if line.label == "SMS aux usagers"]
    assert line.amount_cents == 18  # 3 SMS x 6 cents
    assert line.basis.startswith("3 SMS × 0,06")
    assert "SMS envoyés du 01/01/2026 au 31/12/2026, relevé du portail" in line.basis
