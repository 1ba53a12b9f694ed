"""make demo: the operator as issuer of titres and a 2026 tariff of the Hautes-Alpes
services-communs model (seed 002 style: the operator bears half of each application's
cost), so that finance staff can run the 2026 campaign at once. Idempotent."""

from billing.models import Issuer, Tariff, TariffLine
from billing.services import tariff_save
from billing.services.settings import issuer_save
from conventions.models import Application, ConventionModel

DEMO_MODEL = "services-communs-hautes-alpes"  # made by conventions.demo
YEAR = 2026
# Annual global cost of each application (Pappli), in cents HT; participation: half.
COSTS = {"e-administration": 1_200_000, "services-en-ligne": 800_000, "marches-publics": 500_000}

DEMO_ISSUER = {
    "name": "Département des Hautes-Alpes",
    # A made-up SIRET whose check digit is valid (python-stdnum siret.validate).
    "siret": "22050000300011",
    "address": "Hôtel du Département\nPlace Saint-Arnoux\n05000 Gap",
    "signatory_first_name": "Paule",
    "signatory_last_name": "Admin",
    "signatory_title": "Présidente du Conseil départemental",
    "contest_email": "finances@hautes-alpes.demo",
    "accountant": "Service de gestion comptable de Gap",
    "accountant_address": "Cité administrative\n05000 Gap",
    "iban": "FR7630001007941234567890185",
    "bic": "BDFEFRPPCCT",
    # CJA R221-3: the Hautes-Alpes are in the ressort of the tribunal administratif de
    # Marseille; a commune's participation under a convention is a public-law debt.
    "court": "le tribunal administratif de Marseille",
    "post_id": "005012",
    "collectivity_code": "001",
    "budget_code": "00",
    "revenue_nature": "70688",
    "function_code": "020",
    "product_code": "PART",
    "cat_tiers": "22",
    "first_bordereau_number": 1,
    "first_piece_number": 1,
}


def seed_public() -> None:
    if not Issuer.objects.exists():
        # Through the finance settings' service, so the demo passes the same validation as
        # what finance staff type (SIRET check digit, the PES formats, the court).
        issuer_save(values=DEMO_ISSUER, acting_user=None)
    model = ConventionModel.objects.filter(code=DEMO_MODEL).first()
    if model is None or Tariff.objects.filter(model=model, year=YEAR).exists():
        return
    applications = {a.code: a for a in Application.objects.filter(code__in=COSTS)}
    tariff_save(
        model=model,
        year=YEAR,
        decision="Délibération de démonstration",
        acting_user=None,
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
