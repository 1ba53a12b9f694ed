import random
from decimal import Decimal

import pytest

from portal.money import euros, parse_euros, rate_label, split_cents, vat_split


def test_split_adds_up_on_many_random_cases():
    rng = random.Random(20260901)  # seeded: reproducible
    for _ in range(5000):
        total = rng.randint(0, 10**9)
        weights = [rng.randint(0, 2_000_000) for _ in range(rng.randint(1, 200))]
        if not any(weights):
            weights[0] = 1
        shares = split_cents(total, weights)
        assert sum(shares) == total
        assert all(s >= 0 for s in shares)
        # Each share is within one cent of its exact proportion.
        weights_sum = sum(weights)
        for weight, share in zip(weights, shares, strict=True):
            exact = total * weight / weights_sum
            assert abs(share - exact) < 1 + 1e-6
            if weight == 0:
                assert share == 0


def test_split_is_deterministic_and_ties_go_to_the_earliest():
    assert split_cents(100, [1, 1, 1]) == [34, 33, 33]
    assert split_cents(2, [1, 1, 1]) == [1, 1, 0]
    assert split_cents(100, [1, 1, 1]) == split_cents(100, [1, 1, 1])


def test_split_largest_remainder_wins():
    # 10 × 7/10 = 7, 10 × 2/10 = 2, 10 × 1/10 = 1: exact; 11: remainders .7, .2, .1
    assert split_cents(11, [7, 2, 1]) == [8, 2, 1]


def test_split_accepts_decimal_weights():
    assert sum(split_cents(1001, [Decimal("0.5"), Decimal("1.25")])) == 1001


@pytest.mark.parametrize("total,weights", [(-1, [1]), (10, []), (10, [0, 0]), (10, [1, -1])])
def test_split_refuses_bad_input(total, weights):
    with pytest.raises(ValueError):
        split_cents(total, weights)


def test_vat_split_ht_and_ttc():
    assert vat_split(10000, rate_bp=2000, includes_vat=False) == (10000, 2000, 12000)
    # Seed 004: 20 000 € TTC at 20 %: 16 666,67 HT + 3 333,33 VAT.
    assert vat_split(2_000_000, rate_bp=2000, includes_vat=True) == (1_666_667, 333_333, 2_000_000)
    assert vat_split(15011, rate_bp=0, includes_vat=False) == (15011, 0, 15011)


def test_display_and_parse():
    assert euros(1234567) == "12\u202f345,67\u00a0€"
    assert euros(5) == "0,05\u00a0€"
    assert parse_euros("1 234,56") == 123456
    assert parse_euros("10000") == 1_000_000
    assert rate_label(2000) == "20\u00a0%"
    assert rate_label(550) == "5,5\u00a0%"
    with pytest.raises(ValueError, match="deux décimales"):
        parse_euros("1,234")
    with pytest.raises(ValueError, match="pas un montant"):
        parse_euros("abc")
