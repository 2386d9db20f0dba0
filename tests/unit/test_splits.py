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


@given(total=st.integers(min_value=0, max_value=10**12),
       weights=st.lists(st.integers(1, 1000), min_size=1, max_size=30))
def test_leftover_units_go_to_the_largest_remainders_then_the_earlier_recipient(total: int, weights: list[int]) -> None:
    parts = [part for _, part in largest_remainder_split(total, [(f"w{i}", w) for i, w in enumerate(weights)])]
    weight_sum = sum(weights)
    remainders = [total * weight % weight_sum for weight in weights]
    floors = [total * weight // weight_sum for weight in weights]
    extra = {i for i, (part, floor) in enumerate(zip(parts, floors, strict=True)) if part > floor}
    assert len(extra) == total - sum(floors)
    for got in extra:  # no recipient left out ranks before one that got a unit
        for missed in set(range(len(weights))) - extra:
            assert (remainders[got], -got) > (remainders[missed], -missed)


@pytest.mark.parametrize("total, weights, expected", [
    (100, [1, 1, 1], [34, 33, 33]),  # two units over: the first two of three equal remainders
    (7, [2, 3, 5], [1, 2, 4]),  # 1.4, 2.1, 3.5: the one unit over goes to the largest remainder, 0.5
    (10, [1, 2, 4], [1, 3, 6]),  # 1.43, 2.86, 5.71: the two units go to .86 and .71, not to the first
    (3, [1, 2, 3], [1, 1, 1]),  # 0.5, 1, 1.5: equal remainders, the earlier recipient wins
    (5, [1] * 7, [1, 1, 1, 1, 1, 0, 0]),
    (0, [3, 4], [0, 0]),
    (12, [0, 5, 0, 1], [0, 10, 0, 2]),  # a zero weight never gets a unit
])
def test_known_splits(total: int, weights: list[int], expected: list[int]) -> None:
    keyed = [(chr(ord("a") + i), w) for i, w in enumerate(weights)]
    assert largest_remainder_split(total, keyed) == list(zip([k for k, _ in keyed], expected, strict=True))


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
    (5_096_440, 158_742_070_732, 6, "0.0₇3211"),  # a pump.fun-sized price: 0.00000003211, its zeros counted
    (1, 1, 9, "1"),
    (123_456_789, 10**6, 6, "0.1235"),
    (10**9 * 1234, 10**9, 9, "1,234"),
])
def test_prices_show_four_significant_figures(lamports: int, units: int, decimals: int, expected: str) -> None:
    from webapp.money import sol_price
    from webapp.services.indexer.candles import Price

    assert sol_price(Price(lamports, units), decimals) == expected
