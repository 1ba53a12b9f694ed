"""Pricing rules as pure functions: what each member owes for a year, line by line, with
the bases of liquidation written out (décret 2012-1246 GBCP art. 24: every order to recover
states the bases of its liquidation). No database access here: billing.liquidation feeds
these functions from the models.
"""

from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from portal.money import euros, round_half_up, split_cents


class PricingError(ValueError):
    """A tariff or a member's data that makes a liquidation impossible (French message)."""


def habitants(population: int) -> str:
    return f"{population:,}".replace(",", "\u202f") + "\u00a0hab."


@dataclass(frozen=True)
class Member:
    """A convention to bill: ``key`` identifies it (convention id)."""

    key: int
    name: str
    population: int | None
    population_label: str = ""  # "population totale, millésime 2023"
    applications: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Line:
    label: str
    basis: str
    amount_cents: int  # HT, or TTC when ``includes_vat``
    vat_rate_bp: int = 0
    includes_vat: bool = False
    application: str = ""  # application code, for the per-application totals
    quantity: Decimal = Decimal(1)
    unit_cents: int | None = None


@dataclass(frozen=True)
class ApplicationTariff:
    """Seed 002: an application's global annual cost (Pappli) and the operator's
    participation (Part 3M), both in cents HT."""

    code: str
    label: str
    annual_cost_cents: int
    participation_cents: int
    vat_rate_bp: int = 0


@dataclass
class ApplicationTotal:
    """Reconciliation of one application: what was shared and what the members' lines add
    up to (always equal: split_cents)."""

    code: str
    label: str
    shared_cents: int
    members: int = 0
    population: int = 0
    billed_cents: int = 0

    @property
    def reconciled(self) -> bool:
        return self.billed_cents == self.shared_cents or self.members == 0


@dataclass(frozen=True)
class Bracket:
    """Seed 004 art. 4: a population bracket, bounds as the text writes them
    ("moins de 500 000" excludes 500 000; "entre 500 000 et 1 million" includes both;
    "supérieure à 1 million" excludes 1 000 000). None: unbounded."""

    label: str
    amount_cents: int
    low: int | None = None
    low_inclusive: bool = True
    high: int | None = None
    high_inclusive: bool = False
    vat_rate_bp: int = 2000
    includes_vat: bool = True  # seed 004: amounts TTC

    def contains(self, population: int) -> bool:
        if self.low is not None and (
            population < self.low or (population == self.low and not self.low_inclusive)
        ):
            return False
        if self.high is not None and (
            population > self.high or (population == self.high and not self.high_inclusive)
        ):
            return False
        return True


@dataclass(frozen=True)
class Package:
    code: str
    label: str
    price_cents: int
    vat_rate_bp: int = 0


@dataclass(frozen=True)
class Service:
    """Seed 003: a complementary service priced per unit (a day of advice...)."""

    code: str
    label: str
    unit_label: str
    unit_cents: int
    vat_rate_bp: int = 0


@dataclass(frozen=True)
class Usage:
    service: Service
    quantity: Decimal
    note: str = ""


@dataclass
class Liquidation:
    lines: dict[int, list[Line]] = field(default_factory=dict)
    totals: list[ApplicationTotal] = field(default_factory=list)


def check_application_tariff(tariff: ApplicationTariff) -> None:
    """Bad input refused with a French message: negative, absurd, participation > cost."""
    if tariff.annual_cost_cents < 0 or tariff.participation_cents < 0:
        raise PricingError(f"{tariff.label} : un montant ne peut pas être négatif.")
    if tariff.participation_cents > tariff.annual_cost_cents:
        raise PricingError(
            f"{tariff.label} : la participation de l'opérateur"
            f" ({euros(tariff.participation_cents)}) dépasse le coût annuel"
            f" ({euros(tariff.annual_cost_cents)})."
        )


def population_share(
    *, members: list[Member], applications: list[ApplicationTariff]
) -> Liquidation:
    """Seed 002 art. 4: for each application, share = population × (Pappli − participation)
    ÷ total population of the members using it; shares split to the cent so that they add
    up exactly to Pappli − participation (largest remainder)."""
    result = Liquidation(lines={m.key: [] for m in members})
    for tariff in applications:
        check_application_tariff(tariff)
        users = [m for m in members if tariff.code in m.applications]
        missing = [m.name for m in users if not m.population]
        if missing:
            raise PricingError(
                f"{tariff.label} : population inconnue pour {', '.join(missing)} ;"
                " la répartition est impossible sans elle."
            )
        shared = tariff.annual_cost_cents - tariff.participation_cents
        total = ApplicationTotal(code=tariff.code, label=tariff.label, shared_cents=shared)
        result.totals.append(total)
        if not users:
            continue
        population = sum(m.population for m in users)
        shares = split_cents(shared, [m.population for m in users])
        total.members, total.population, total.billed_cents = len(users), population, sum(shares)
        for member, share in zip(users, shares, strict=True):
            basis = (
                f"{habitants(member.population)} × ({euros(tariff.annual_cost_cents)}"
                f" − {euros(tariff.participation_cents)}) ÷ {habitants(population)}"
            )
            if member.population_label:
                basis += f" ({member.population_label})"
            result.lines[member.key].append(
                Line(
                    label=tariff.label,
                    basis=basis,
                    amount_cents=share,
                    vat_rate_bp=tariff.vat_rate_bp,
                    application=tariff.code,
                )
            )
    return result


def bracket_for(population: int, brackets: list[Bracket]) -> Bracket:
    found = [b for b in brackets if b.contains(population)]
    if len(found) != 1:
        raise PricingError(
            f"{habitants(population)} : {'aucune tranche' if not found else 'plusieurs tranches'}"
            " du tarif ne correspond(ent) à cette population."
        )
    return found[0]


def population_brackets(*, members: list[Member], brackets: list[Bracket]) -> Liquidation:
    """Seed 004 art. 4: one payment by population bracket (latest INSEE census)."""
    result = Liquidation(lines={})
    for member in members:
        if not member.population:
            raise PricingError(f"{member.name} : population inconnue, tranche impossible.")
        bracket = bracket_for(member.population, brackets)
        basis = f"{habitants(member.population)}"
        if member.population_label:
            basis += f" ({member.population_label})"
        basis += f" : tranche « {bracket.label} », {euros(bracket.amount_cents)}"
        basis += " TTC" if bracket.includes_vat else " HT"
        result.lines[member.key] = [
            Line(
                label=f"Participation financière — {bracket.label}",
                basis=basis,
                amount_cents=bracket.amount_cents,
                vat_rate_bp=bracket.vat_rate_bp,
                includes_vat=bracket.includes_vat,
            )
        ]
    return result


def packages(*, package: Package, usages: list[Usage]) -> list[Line]:
    """Seed 003 art. 2 and annex 2: the chosen package's yearly price, plus the
    complementary services used during the year, each quantity × unit price."""
    lines = [
        Line(
            label=f"Forfait {package.label}",
            basis=f"Forfait annuel « {package.label} » : {euros(package.price_cents)}",
            amount_cents=package.price_cents,
            vat_rate_bp=package.vat_rate_bp,
            unit_cents=package.price_cents,
        )
    ]
    for usage in usages:
        if usage.quantity <= 0:
            raise PricingError(f"{usage.service.label} : quantité nulle ou négative.")
        amount = round_half_up(Fraction(usage.quantity) * usage.service.unit_cents)
        quantity = f"{usage.quantity.normalize():f}".replace(".", ",")
        lines.append(
            Line(
                label=usage.service.label,
                basis=(
                    f"{quantity} {usage.service.unit_label} × {euros(usage.service.unit_cents)}"
                    + (f" ({usage.note})" if usage.note else "")
                ),
                amount_cents=amount,
                vat_rate_bp=usage.service.vat_rate_bp,
                quantity=usage.quantity,
                unit_cents=usage.service.unit_cents,
            )
        )
    return lines
