"""Amounts stay integers until they are rendered, and render exactly."""
from __future__ import annotations

import pytest

from webapp.money import percent_text, price_text, sol_text, token_text, units_text


def test_base_units_render_exactly() -> None:
    assert units_text(1, 9) == "0.000000001"
    assert units_text(18_446_744_073_709_551_615, 9) == "18,446,744,073.709551615"  # u64::MAX lamports
    assert units_text(1_000_000, 6) == "1"
    assert units_text(0, 6) == "0"
    assert units_text(123_456_789, 0) == "123,456,789"


def test_floats_are_refused() -> None:
    with pytest.raises(TypeError):
        units_text(1.5, 9)  # type: ignore[arg-type]  # a float on purpose: amounts must be refused at run time too
    with pytest.raises(TypeError):
        sol_text(True)


@pytest.mark.parametrize(
    "lamports, text",
    [
        (250_000_000, "0.25"), (1_234_567_891, "1.2346"), (5_000, "0.000005"), (10_000_000, "0.01"),
        (-2_000_000_000, "-2"),
    ],
)
def test_sol(lamports: int, text: str) -> None:
    assert sol_text(lamports) == text


def test_tokens() -> None:
    assert token_text(1_500_000_000, 6) == "1,500"
    assert token_text(1_234_567, 6) == "1.23"
    assert token_text(123, 6) == "0.000123"


def test_prices_are_sol_per_whole_token_to_four_significant_digits() -> None:
    assert price_text(28, 1_000_000, 6) == "0.000000028"  # 28 lamports per token
    assert price_text(1, 3, 0) == "0.0000000003333"
    assert price_text(2_000_000_000_000, 1_000, 0) == "2"
    assert price_text(2_000_000_000_000, 1, 0) == "2,000"
    assert price_text(10, 0, 6) == "—"
    assert price_text(0, 10, 6) == "0"


def test_percent() -> None:
    assert percent_text(4520) == "45.2%" and percent_text(10_000) == "100%" and percent_text(1) == "0%"
