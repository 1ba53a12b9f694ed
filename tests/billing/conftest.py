"""Billing fixtures: the issuer, members without schemas (billing is public-schema only),
conventions in force and a 2026 tariff of the seed 002 model."""

import itertools
from datetime import date

import pytest

_counter = itertools.count(1)


@pytest.fixture
def issuer(db):
    from billing.models import Issuer

    return Issuer.objects.create(
        name="Syndicat mixte de test",
        siret="25050001200017",
        address="1 place de la Préfecture\n05000 Gap",
        signatory_first_name="Claire",
        signatory_last_name="Ordonnatrice",
        signatory_title="Présidente du syndicat mixte",
        contest_email="finances@syndicat.example.fr",
        accountant="Service de gestion comptable de Gap",
        accountant_address="4 rue du Trésor\n05000 Gap",
        iban="FR7630001007941234567890185",
        bic="BDFEFRPPCCT",
        court="le tribunal administratif de Marseille",
        product_code="PART",
        post_id="005012",
    )


@pytest.fixture
def member(db):
    """A member collectivité row without a schema (bulk_create skips schema creation)."""
    from tenants.models import Collectivite

    def make(name: str, population: int | None, **fields) -> Collectivite:
        n = next(_counter)
        collectivite = Collectivite(
            name=name,
            slug=f"billing-{n}",
            schema_name=f"c_billing_{n}",
            insee_code=fields.pop("insee_code", f"04{n:03d}"),
            population_totale=population,
            population_municipale=population,
            population_year=2023,
            siren=fields.pop("siren", "210500013"),
            contact_address=fields.pop("contact_address", f"Mairie\n04{n:03d} {name}"),
            **fields,
        )
        Collectivite.objects.bulk_create([collectivite])
        return Collectivite.objects.get(slug=collectivite.slug)

    return make


@pytest.fixture
def convention_for(db):
    from conventions.models import Application, Convention, ConventionApplication

    def make(collectivite, model, app_codes=None, starts_on=date(2026, 1, 1), **fields):
        convention = Convention.objects.create(
            model=model,
            collectivite=collectivite,
            state=fields.pop("state", Convention.State.ACTIVE),
            signed_on=starts_on,
            starts_on=starts_on,
            **fields,
        )
        codes = (
            app_codes
            if app_codes is not None
            else list(model.applications.values_list("code", flat=True))
        )
        ConventionApplication.objects.bulk_create(
            ConventionApplication(convention=convention, application=app, applies_from=starts_on)
            for app in Application.objects.filter(code__in=codes)
        )
        return convention

    return make


@pytest.fixture
def share_model(db):
    from conventions.models import Application, ConventionModel
    from conventions.seeds import seed_catalogue

    # A transactional test before this one may have flushed the seeded models.
    seed_catalogue(Application, ConventionModel)
    return ConventionModel.objects.get(code="services-communs-metropole")


@pytest.fixture
def share_tariff(share_model, db):
    """Seed 002: the Métropole pays half of each application's cost (figures of the test
    Lavérune example: see tests/billing/test_pricing.py)."""
    from billing.models import TariffLine
    from billing.services import tariff_save
    from conventions.models import Application

    costs = {
        "e-administration": 1_346_800,
        "services-en-ligne": 929_800,
        "marches-publics": 725_600,
    }
    lines = [
        TariffLine(
            kind=TariffLine.Kind.APPLICATION,
            application=Application.objects.get(code=code),
            label=Application.objects.get(code=code).label,
            amount_cents=cost,
            participation_cents=cost // 2,
        )
        for code, cost in costs.items()
    ]
    return tariff_save(
        model=share_model, year=2026, decision="Annexe 1", lines=lines, acting_user=None
    )


@pytest.fixture
def laverune_setup(member, convention_for, share_model, share_tariff, issuer):
    """Lavérune (1 000 hab.) and two others (60 000, 39 000) under the seed 002 model."""
    laverune = member("Lavérune", 1_000)
    others = [member("Autre A", 60_000), member("Autre B", 39_000)]
    conventions = [convention_for(c, share_model) for c in [laverune, *others]]
    return conventions


@pytest.fixture
def finance_client(user_factory, operator):
    from django.test import Client

    from tests.conftest import PASSWORD

    user = user_factory(is_finance=True)
    client = Client(HTTP_HOST="localhost")
    client.login(email=user.email, password=PASSWORD)
    return client


@pytest.fixture
def issued(tenant_a, tenant_b, convention_for, share_model, share_tariff, issuer):
    """Titres for the two test communes, notified today."""
    from django.utils import timezone

    from billing.liquidation import liquidate
    from billing.models import Titre
    from billing.services import titre_issue, titre_render, titre_send
    from billing.services.titres import issuer_snapshot
    from tenants.models import Collectivite

    Collectivite.objects.filter(pk__in=[tenant_a.pk, tenant_b.pk]).update(
        population_totale=1000, population_year=2023
    )
    for tenant in (tenant_a, tenant_b):
        convention_for(tenant, share_model)
    titres = []
    for bill in liquidate(year=2026, model_ids=[share_model.pk]).members:
        titre = titre_issue(bill=bill, year=2026, issuer=issuer_snapshot(), today=date(2026, 9, 1))
        titre_render(titre_id=titre.pk)
        titre_send(titre_id=titre.pk, today=timezone.localdate())
        titres.append(Titre.objects.get(pk=titre.pk))
    return {t.collectivite_id: t for t in titres}


@pytest.fixture
def packages_model(share_model):
    """Seed 003: two packages and a day of advice priced per unit (20 % VAT), billed by a
    mémoire."""
    from billing.models import TariffLine
    from billing.services import tariff_save
    from conventions.models import ConventionModel

    model = ConventionModel.objects.get(code="cdg-forfaits")
    tariff_save(
        model=model,
        year=2026,
        decision="Annexe 2",
        document="memoire",  # seed 003 art. 22: paid on presentation of a mémoire
        acting_user=None,
        lines=[
            TariffLine(
                kind="package", code="technologie", label="Technologie", amount_cents=120_000
            ),
            TariffLine(
                kind="package", code="techno-plus", label="Technologie Plus", amount_cents=180_000
            ),
            TariffLine(
                kind="service",
                code="conseil",
                label="Journée conseil en équipement",
                unit_label="journée(s)",
                amount_cents=45_000,
                vat_rate_bp=2000,
            ),
        ],
    )
    return model
