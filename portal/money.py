"""Money in integer cents, and how to share an amount exactly.

A shared amount is split with the largest-remainder method: each share is the floor of its
exact proportion, then the cents left over go one by one to the largest remainders (ties:
the earliest in the given order), so that the shares always add up exactly to the total.
"""

from decimal import ROUND_HALF_UP, Decimal


def split_cents(total_cents: int, weights: list[int] | list[Decimal]) -> list[int]:
    """Shares of ``total_cents`` in proportion to ``weights`` (non-negative, not all zero),
    adding up exactly to ``total_cents``; deterministic (ties to the earliest weight)."""
    if total_cents < 0:
        raise ValueError("split_cents: the total must be positive or zero")
    if any(w < 0 for w in weights):
        raise ValueError("split_cents: weights must be positive or zero")
    weight_sum = sum(weights)
    if not weights or weight_sum == 0:
        raise ValueError("split_cents: nothing to share in proportion to")
    # Exact integer arithmetic: Fractions of integers, no float anywhere.
    scale = 1
    if any(isinstance(w, Decimal) for w in weights):
        exponent = min(Decimal(w).as_tuple().exponent for w in weights)
        scale = 10 ** max(0, -exponent)
    ints = [int(Decimal(w) * scale) for w in weights]
    denominator = sum(ints)
    floors, remainders = [], []
    for index, weight in enumerate(ints):
        quotient, remainder = divmod(total_cents * weight, denominator)
        floors.append(quotient)
        remainders.append((-remainder, index))
    left = total_cents - sum(floors)
    for _, index in sorted(remainders)[:left]:
        floors[index] += 1
    return floors


def euros(cents: int) -> str:
    """French display of an amount in cents: 1234567 -> "12 345,67 €"."""
    sign = "-" if cents < 0 else ""
    units, hundredths = divmod(abs(cents), 100)
    grouped = f"{units:,}".replace(",", "\u202f")
    return f"{sign}{grouped},{hundredths:02d} €"


def cents_of(amount: Decimal | str) -> int:
    """Cents of a euro amount, rounded half up (never via float)."""
    return int((Decimal(amount) * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))
