"""Largest-remainder splits are exact."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from webapp.services.payouts.splits import largest_remainder_split


@given(
    total=st.integers(min_value=0, max_value=10**30),
    weights=st.lists(st.integers(min_value=0, max_value=10**12), min_size=1, max_size=60).filter(any),
)
def test_parts_sum_to_the_whole_and_stay_fair(total: int, weights: list[int]) -> None:
    keyed = list(enumerate(weights))
    parts = largest_remainder_split(total, keyed)
    assert sum(part for _, part in parts) == total
    weight_sum = sum(weights)
    for (_key, part), weight in zip(parts, weights, strict=True):
        exact_floor = total * weight // weight_sum
        assert exact_floor <= part <= exact_floor + 1
        if weight == 0:
            assert part == 0
    assert [key for key, _ in parts] == list(range(len(weights)))


@given(total=st.integers(min_value=0, max_value=10**12), weights=st.lists(st.integers(1, 1000), min_size=1, max_size=30))
def test_split_is_deterministic(total: int, weights: list[int]) -> None:
    keyed = [(f"w{i}", w) for i, w in enumerate(weights)]
    assert largest_remainder_split(total, keyed) == largest_remainder_split(total, keyed)


def test_ties_go_to_the_earlier_recipient() -> None:
    assert largest_remainder_split(10, [("a", 1), ("b", 1), ("c", 1)]) == [("a", 4), ("b", 3), ("c", 3)]


@pytest.mark.parametrize("total, weights", [(-1, [("a", 1)]), (5, [("a", -1), ("b", 2)]), (5, [("a", 0)])])
def test_bad_splits_are_refused(total: int, weights: list[tuple[str, int]]) -> None:
    with pytest.raises(ValueError):
        largest_remainder_split(total, weights)


@pytest.mark.parametrize("text, decimals, expected",
                         [("12.5", 6, 12_500_000), ("1", 0, 1), ("0.000001", 6, 1), ("1,000", 2, 100_000)])
def test_token_amounts_convert_exactly(text: str, decimals: int, expected: int) -> None:
    from webapp.services.payouts.amounts import tokens_to_base_units

    assert tokens_to_base_units(text, decimals) == expected


@pytest.mark.parametrize("text", ["", "abc", "0", "-1", "0.0000001", "nan", "inf", "1e999999999", "1e-99999999999",
                                  "18446744073709.551616"])
def test_bad_token_amounts_are_refused(text: str) -> None:
    from webapp.services.payouts.amounts import AmountError, tokens_to_base_units

    with pytest.raises(AmountError):
        tokens_to_base_units(text, 6)


@pytest.mark.parametrize("lamports, units, decimals, expected", [
    (5_096_440, 158_742_070_732, 6, "0.00000003211"),  # a pump.fun-sized price
    (1, 1, 9, "1"),
    (123_456_789, 10**6, 6, "0.1235"),
    (10**9 * 1234, 10**9, 9, "1,234"),
])
def test_prices_show_four_significant_figures(lamports: int, units: int, decimals: int, expected: str) -> None:
    from webapp.money import sol_price
    from webapp.services.indexer.candles import Price

    assert sol_price(Price(lamports, units), decimals) == expected
