"""Money in integer cents: French display, parsing, VAT and exact sharing (billing's titres,
conventions' pages and refunds: shared, hence here, issue 27).

A shared amount is split with the largest-remainder method (Hamilton): each share is the
floor of its exact proportion, then the cents left over go one by one to the largest
remainders, ties to the earliest in the given order, so that the shares always add up
exactly to the total and the same inputs always give the same shares (issue 10 §2).
"""

import math
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from fractions import Fraction


def split_cents(total_cents: int, weights: list[int] | list[Decimal]) -> list[int]:
    """Shares of ``total_cents`` proportional to ``weights`` (>= 0, not all zero), adding up
    exactly to ``total_cents``; deterministic (ties to the earliest weight)."""
    if total_cents < 0:
        raise ValueError("split_cents: le montant à répartir doit être positif ou nul")
    if not weights or any(w < 0 for w in weights) or sum(weights) == 0:
        raise ValueError("split_cents: poids négatifs ou tous nuls")
    # In integers: weights scaled to a common denominator (Decimal weights are exact
    # fractions), then each share's floor and remainder over the same total weight.
    fractions = [Fraction(w) for w in weights]
    scale = math.lcm(*(f.denominator for f in fractions))
    scaled = [int(f * scale) for f in fractions]
    weight_total = sum(scaled)
    parts = [divmod(total_cents * w, weight_total) for w in scaled]
    shares = [floor for floor, _ in parts]  # every share is >= 0
    left = total_cents - sum(shares)
    by_remainder = sorted(range(len(parts)), key=lambda i: (-parts[i][1], i))
    for index in by_remainder[:left]:
        shares[index] += 1
    return shares


def round_half_up(value: Fraction) -> int:
    """Nearest integer of an exact fraction, halves away from zero (public accounting)."""
    quotient = Decimal(value.numerator) / Decimal(value.denominator)
    return int(quotient.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def vat_split(amount_cents: int, *, rate_bp: int, includes_vat: bool) -> tuple[int, int, int]:
    """(HT, VAT, TTC) in cents of a line whose amount is HT, or TTC when ``includes_vat``
    (seed 004's amounts are TTC). ``rate_bp``: rate in basis points (2000 = 20 %)."""
    if includes_vat:
        ht = round_half_up(Fraction(amount_cents * 10000, 10000 + rate_bp))
        return ht, amount_cents - ht, amount_cents
    vat = round_half_up(Fraction(amount_cents * rate_bp, 10000))
    return amount_cents, vat, amount_cents + vat


def euros(cents: int) -> str:
    """French display of cents: 1234567 -> "12 345,67 €" (narrow no-break spaces)."""
    sign = "−" if cents < 0 else ""
    units, hundredths = divmod(abs(cents), 100)
    grouped = f"{units:,}".replace(",", "\u202f")
    return f"{sign}{grouped},{hundredths:02d}\u00a0€"


def decimal_euros(cents: int) -> str:
    """Dot-separated amount for machine files (PES, CSV): 1234567 -> "12345.67"."""
    sign = "-" if cents < 0 else ""
    units, hundredths = divmod(abs(cents), 100)
    return f"{sign}{units}.{hundredths:02d}"


def parse_euros(text: str) -> int:
    """Cents of an amount typed in French or English notation ("1 234,56", "1234.56");
    ValueError (French message) when it is not an amount with at most two decimals."""
    cleaned = str(text).strip().replace("\u202f", "").replace("\u00a0", "").replace(" ", "")
    cleaned = cleaned.removesuffix("€").replace(",", ".")
    try:
        amount = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(f"« {text} » n'est pas un montant.") from None
    if not amount.is_finite() or amount != amount.quantize(Decimal("0.01")):
        raise ValueError(f"« {text} » : deux décimales au plus.")
    return int(amount * 100)


def rate_label(rate_bp: int) -> str:
    """2000 -> "20 %", 550 -> "5,5 %"."""
    units, hundredths = divmod(rate_bp, 100)
    text = f"{units},{hundredths:02d}".rstrip("0").rstrip(",")
    return f"{text}\u00a0%"
