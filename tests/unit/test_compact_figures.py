"""Compact figures (9.9M) with the exact one on hover, and tiny prices written so they stay short and readable."""
from __future__ import annotations

from decimal import Decimal

import pytest

from webapp.money import compact_sol, compact_text, compact_tokens, readable_price, sol_price
from webapp.services.indexer.candles import Price


@pytest.mark.parametrize(
    "value, text",
    [
        ("1000", "1K"), ("1234", "1.2K"), ("12345", "12.3K"), ("123456", "123K"), ("9912345.6", "9.9M"),
        ("3400000000", "3.4B"), ("1200000000000", "1.2T"), ("1050", "1K"), ("1250", "1.2K"), ("1350", "1.4K"),
        # rounding that reaches the next unit shows that unit, never 1000K or 100.0K
        ("99949", "99.9K"), ("99950", "100K"), ("999499", "999K"), ("999500", "1M"), ("999960", "1M"),
        ("999999999", "1B"),
        ("-1234", "-1.2K"), ("-999960", "-1M"), ("-3400000000", "-3.4B"),
    ],
)
def test_compact_text(value: str, text: str) -> None:
    assert compact_text(Decimal(value)) == text


@pytest.mark.parametrize("value", ["0", "999", "999.99", "-999.5", "0.000001"])
def test_figures_below_a_thousand_are_not_compacted(value: str) -> None:
    assert compact_text(Decimal(value)) is None


def test_compact_markup_keeps_the_exact_figure_on_hover() -> None:
    assert compact_tokens(9_912_345_600_000, 6) == '<abbr class="compact" title="9,912,345.6">9.9M</abbr>'
    assert compact_sol(1_234_567_000_000_000) == '<abbr class="compact" title="1,234,567">1.2M</abbr>'
    # from 1 SOL up two decimals, the four sol_text shows on hover; short figures alone, nothing to hover
    assert compact_sol(37_655_210_020) == '<abbr class="compact" title="37.6552">37.66</abbr>'
    assert compact_sol(1_260_000_000) == "1.26" and compact_sol(18_400_000) == "0.0184"
    assert compact_sol(0) == "0" and compact_tokens(0, 6) == "0"
    assert compact_tokens(-1_500_000_000, 6) == '<abbr class="compact" title="-1,500">-1.5K</abbr>'
    assert compact_sol(None) == "—"


@pytest.mark.parametrize(
    "text, shown",
    [
        ("0.00000003211", "0.0₇3211"), ("0.00001234", "0.0₄1234"), ("-0.00000123", "-0.0₅123"),
        ("0.0001234", "0.0001234"), ("0.5", "0.5"), ("1,234.5", "1,234.5"), ("0", "0"), ("—", "—"),
        ("0.000000000000001", "0.0₁₄1"),
    ],
)
def test_tiny_prices_count_their_zeros(text: str, shown: str) -> None:
    assert readable_price(text) == shown


def test_the_price_filter_shows_tiny_prices_readably() -> None:
    # 5,096,440 lamports for 158,742,070,732 base units (6 decimals): 0.00000003211 SOL per token
    assert sol_price(Price(5_096_440, 158_742_070_732), 6) == "0.0₇3211"
    assert sol_price(Price(28, 1_000_000), 6) == "0.0₇28"
    assert sol_price(Price(1_500_000_000, 1_000_000), 6) == "1.5"
    assert sol_price(None, 6) == "—"
