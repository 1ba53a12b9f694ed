"""make demo: the operator as issuer of titres and a 2026 tariff of the Hautes-Alpes
services-communs model (seed 002 style: the operator bears half of each application's
cost), so that finance staff can run the 2026 campaign at once. Idempotent."""

from billing.models import Issuer, Tariff, TariffLine
from billing.services import tariff_save
from conventions.models import Application, ConventionModel

DEMO_MODEL = "services-communs-hautes-alpes"  # made by conventions.demo
YEAR = 2026
# Annual global cost of each application (Pappli), in cents HT; participation: half.
COSTS = {"e-administration": 1_200_000, "services-en-ligne": 800_000, "marches-publics": 500_000}


def seed_public() -> None:
    if not Issuer.objects.exists():
        Issuer.objects.create(
            name="Département des Hautes-Alpes",
            siret="22050001700013",
            address="Hôtel du Département\nPlace Saint-Arnoux\n05000 Gap",
            signatory_first_name="Paule",
            signatory_last_name="Admin",
            signatory_title="Présidente du Conseil départemental",
            contest_email="finances@hautes-alpes.demo",
            accountant="Service de gestion comptable de Gap",
            accountant_address="Cité administrative\n05000 Gap",
            iban="FR7630001007941234567890185",
            bic="BDFEFRPPCCT",
            court="le tribunal judiciaire de Gap",
            post_id="005012",
        )
    model = ConventionModel.objects.filter(code=DEMO_MODEL).first()
    if model is None or Tariff.objects.filter(model=model, year=YEAR).exists():
        return
    applications = {a.code: a for a in Application.objects.filter(code__in=COSTS)}
    tariff_save(
        model=model,
        year=YEAR,
        decision="Délibération de démonstration",
        actor=None,
        lines=[
            TariffLine(
                kind=TariffLine.Kind.APPLICATION,
                application=applications[code],
                label=applications[code].label,
                amount_cents=cost,
                # Seed 002 art. 4: half of each application's cost is borne by the operator.
                participation_cents=cost // 2,
            )
            for code, cost in COSTS.items()
            if code in applications
        ],
    )
