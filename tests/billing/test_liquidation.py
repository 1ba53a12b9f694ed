"""Seeds 004 (brackets, TTC) and 003 (package plus units) through the database."""

from datetime import date
from decimal import Decimal

import pytest

from billing.liquidation import liquidate
from billing.models import ConventionPackage, ServiceUsage, TariffLine
from billing.services import tariff_save, titre_issue
from billing.services.titres import issuer_snapshot
from conventions.models import ConventionModel

pytestmark = pytest.mark.django_db


def test_seed_004_brackets_issue_a_ttc_titre(member, convention_for, issuer, share_model):
    model = ConventionModel.objects.get(code="rdv-social-cofinancement")
    tariff_save(
        model=model,
        year=2026,
        decision="Convention art. 4",
        acting_user=None,
        lines=[
            TariffLine(
                kind="bracket",
                label="moins de 500 000 habitants",
                amount_cents=2_000_000,
                high=500_000,
                high_inclusive=False,
                vat_rate_bp=2000,
                includes_vat=True,
            ),
            TariffLine(
                kind="bracket",
                label="entre 500 000 et 1 million d'habitants",
                amount_cents=4_000_000,
                low=500_000,
                low_inclusive=True,
                high=1_000_000,
                high_inclusive=True,
                vat_rate_bp=2000,
                includes_vat=True,
            ),
            TariffLine(
                kind="bracket",
                label="plus de 1 million d'habitants",
                amount_cents=6_000_000,
                low=1_000_000,
                low_inclusive=False,
                vat_rate_bp=2000,
                includes_vat=True,
            ),
        ],
    )
    edge = convention_for(member("Département pile", 1_000_000, kind="departement"), model)
    liquidation = liquidate(year=2026, model_ids=[model.pk])
    assert liquidation.errors == []
    (bill,) = liquidation.members
    assert bill.convention == edge and bill.total_ttc == 4_000_000
    titre = titre_issue(bill=bill, year=2026, issuer=issuer_snapshot(), today=date(2026, 3, 1))
    assert (titre.total_ht_cents, titre.total_vat_cents, titre.total_ttc_cents) == (
        3_333_333,
        666_667,
        4_000_000,
    )
    assert titre.vat_breakdown == [[2000, 3_333_333, 666_667]]


def test_seed_003_package_and_units_used(member, convention_for, issuer, packages_model):
    model = packages_model
    convention = convention_for(member("Commune au forfait", 800), model)
    without = convention_for(member("Commune sans forfait", 900), model)
    ConventionPackage.objects.create(convention=convention, package_code="technologie")
    ServiceUsage.objects.create(
        convention=convention,
        year=2026,
        service_code="conseil",
        quantity=Decimal("1.5"),
        used_on=date(2026, 4, 2),
    )
    liquidation = liquidate(year=2026, model_ids=[model.pk])
    bills = {b.convention.pk: b for b in liquidation.members}
    assert bills[without.pk].errors == ["aucun forfait choisi (ou forfait absent du tarif)"]
    bill = bills[convention.pk]
    assert [line.amount_cents for line in bill.lines] == [120_000, 67_500]
    assert bill.lines[1].basis == "1,5 journée(s) × 450,00\u00a0€ (02/04/2026)"
    assert bill.totals == (187_500, 13_500, 201_000)
