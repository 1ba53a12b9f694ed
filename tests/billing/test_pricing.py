from decimal import Decimal

import pytest

from billing.pricing import (
    ApplicationTariff,
    Bracket,
    Member,
    Package,
    PricingError,
    Service,
    Usage,
    bracket_for,
    packages,
    population_brackets,
    population_share,
)

# Seed 002 annex 1 (costs per application) is not in the text: these figures reproduce
# Lavérune's amounts with the article 4 formula (Part 3M = half of Pappli).
APPS = [
    ApplicationTariff("admin", "Administration électronique", 1_346_800, 673_400),
    ApplicationTariff("services", "Services en ligne aux usagers", 929_800, 464_900),
    ApplicationTariff("marches", "Dématérialisation des marchés publics", 725_600, 362_800),
]
ALL = frozenset({"admin", "services", "marches"})


def test_seed_002_laverune_worked_example():
    members = [
        Member(1, "Lavérune", 1_000, applications=ALL),
        Member(2, "Autre A", 60_000, applications=ALL),
        Member(3, "Autre B", 39_000, applications=ALL),
    ]
    result = population_share(members=members, applications=APPS)
    laverune = result.lines[1]
    assert [line.amount_cents for line in laverune] == [6734, 4649, 3628]
    assert sum(line.amount_cents for line in laverune) == 15011  # 150,11 €
    assert all(total.reconciled for total in result.totals)
    assert [t.billed_cents for t in result.totals] == [673_400, 464_900, 362_800]


def test_population_share_basis_is_written_out():
    members = [
        Member(1, "Ancelle", 476, applications=frozenset({"a"})),
        Member(2, "Gap", 17_823, applications=frozenset({"a"})),
    ]
    tariff = ApplicationTariff("a", "Application", 1_000_000, 500_000)
    result = population_share(members=members, applications=[tariff])
    line = result.lines[1][0]
    assert line.basis == (
        "476\u00a0hab. × (10\u202f000,00\u00a0€ − 5\u202f000,00\u00a0€) ÷ 18\u202f299\u00a0hab."
    )
    # 476 × 500 000 / 18 299 = 13 006,17 cents; the two shares add up to 500 000 cents.
    assert line.amount_cents in (13006, 13007)
    assert sum(lines[0].amount_cents for lines in result.lines.values()) == 500_000


def test_only_members_using_an_application_share_it():
    members = [
        Member(1, "A", 100, applications=frozenset({"a"})),
        Member(2, "B", 300, applications=frozenset({"b"})),
    ]
    tariffs = [ApplicationTariff("a", "A", 1000, 0), ApplicationTariff("b", "B", 1000, 0)]
    result = population_share(members=members, applications=tariffs)
    assert [line.amount_cents for line in result.lines[1]] == [1000]
    assert [line.amount_cents for line in result.lines[2]] == [1000]


@pytest.mark.parametrize(
    "tariff,message",
    [
        (ApplicationTariff("a", "A", -1, 0), "négatif"),
        (ApplicationTariff("a", "A", 1000, 1001), "dépasse le coût annuel"),
    ],
)
def test_bad_tariffs_are_refused(tariff, message):
    with pytest.raises(PricingError, match=message):
        population_share(
            members=[Member(1, "A", 10, applications=frozenset({"a"}))], applications=[tariff]
        )


def test_member_without_population_is_refused():
    with pytest.raises(PricingError, match="population inconnue pour Sans"):
        population_share(
            members=[Member(1, "Sans", None, applications=frozenset({"admin"}))],
            applications=APPS,
        )


# Seed 004 art. 4, bounds as the text writes them.
SEED_004 = [
    Bracket("moins de 500 000 habitants", 2_000_000, high=500_000, high_inclusive=False),
    Bracket(
        "entre 500 000 et 1 million d'habitants",
        4_000_000,
        low=500_000,
        low_inclusive=True,
        high=1_000_000,
        high_inclusive=True,
    ),
    Bracket("plus de 1 million d'habitants", 6_000_000, low=1_000_000, low_inclusive=False),
]


@pytest.mark.parametrize(
    "population,amount",
    [
        (1, 2_000_000),
        (499_999, 2_000_000),
        (500_000, 4_000_000),
        (750_000, 4_000_000),
        (1_000_000, 4_000_000),
        (1_000_001, 6_000_000),
        (1_421_197, 6_000_000),
    ],
)
def test_seed_004_bracket_edges(population, amount):
    assert bracket_for(population, SEED_004).amount_cents == amount


def test_seed_004_line_is_ttc():
    result = population_brackets(
        members=[Member(7, "Seine-et-Marne", 1_421_197)], brackets=SEED_004
    )
    (line,) = result.lines[7]
    assert line.includes_vat and line.amount_cents == 6_000_000
    assert "60\u202f000,00\u00a0€ TTC" in line.basis


def test_overlapping_or_missing_bracket_is_refused():
    with pytest.raises(PricingError, match="aucune tranche"):
        bracket_for(10, [Bracket("x", 1, low=100)])
    with pytest.raises(PricingError, match="plusieurs tranches"):
        bracket_for(10, [Bracket("x", 1), Bracket("y", 2)])


def test_seed_003_package_plus_complementary_units():
    day = Service("conseil", "Journée conseil en équipement", "journée(s)", 45_000, 2000)
    half = Service("audit", "Demi-journée d'audit", "demi-journée(s)", 22_500, 2000)
    lines = packages(
        package=Package("tech", "Technologie", 120_000),
        usages=[Usage(day, Decimal("2")), Usage(half, Decimal("1.5"))],
    )
    assert [line.amount_cents for line in lines] == [120_000, 90_000, 33_750]
    assert lines[1].basis == "2 journée(s) × 450,00\u00a0€"
    assert lines[2].basis.startswith("1,5 demi-journée(s)")
    with pytest.raises(PricingError, match="quantité"):
        packages(package=Package("t", "T", 1), usages=[Usage(day, Decimal(0))])
