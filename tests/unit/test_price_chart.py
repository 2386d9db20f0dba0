"""The server-drawn price chart: candles above proportional volume bars, labelled axes, OHLCV readouts in SOL."""
from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from itertools import pairwise

import pytest

from webapp.models import Candle
from webapp.services import price_chart

DECIMALS = 6
START = datetime(2026, 2, 12, 22, 0, tzinfo=UTC)


def candle(minute: int, open_: int, high: int, low: int, close: int, volume: int, interval: int = 300) -> Candle:
    """A candle whose prices are lamports per million base units (one whole token at 6 decimals)."""
    unit = 10**DECIMALS
    return Candle(
        mint="M", interval_seconds=interval, starts_at=START + timedelta(seconds=minute * 60),
        open_lamports=open_, open_units=unit, open_slot=1, open_signature="s",
        high_lamports=high, high_units=unit, low_lamports=low, low_units=unit,
        close_lamports=close, close_units=unit, close_slot=2, close_signature="s",
        volume_lamports=volume, volume_units=5 * unit, trades=3,
    )


# 5-minute candles across midnight UTC, prices around 0.03 SOL per token.
CANDLES = [candle(5 * i, 30_000_000 + i * 100_000, 30_400_000 + i * 100_000, 29_800_000 + i * 100_000,
                  30_200_000 + i * 100_000 if i % 3 else 29_900_000 + i * 100_000, (i % 4 + 1) * 250_000_000)
           for i in range(36)]


def test_nothing_to_draw_without_candles() -> None:
    assert price_chart.render_candle_chart([], DECIMALS, "5m") is None


def test_volume_bars_are_proportional_to_volume_and_sit_below_the_candles() -> None:
    chart = price_chart.render_candle_chart(CANDLES, DECIMALS, "5m")
    assert chart is not None
    tallest = max(shape.volume_height for shape in chart.candles)
    assert tallest == pytest.approx(chart.volume_bottom - chart.volume_top)
    for shape, source in zip(chart.candles, CANDLES, strict=True):
        assert shape.volume_height == pytest.approx(tallest * source.volume_lamports / 1_000_000_000, abs=0.01)
        assert shape.volume_top + shape.volume_height == pytest.approx(chart.volume_bottom)
        assert shape.volume_top >= chart.volume_top > chart.price_bottom >= shape.wick_bottom
        assert chart.price_top <= shape.wick_top <= shape.body_top
    assert chart.volume_label == "1 SOL"


def test_price_axis_ticks_are_round_sol_prices_in_order_inside_the_plot() -> None:
    chart = price_chart.render_candle_chart(CANDLES, DECIMALS, "5m")
    assert chart is not None
    labels = [tick.label for tick in chart.price_ticks]
    assert 3 <= len(labels) <= 8
    values = [Decimal(label) for label in labels]
    steps = {b - a for a, b in pairwise(values)}
    assert len(steps) == 1  # evenly spaced
    step = steps.pop()
    assert step.normalize().as_tuple().digits[0] in (1, 2, 5)  # a 1-2-5 step: 0.001, 0.002…
    assert min(values) >= Decimal("0.0298") - step and max(values) <= Decimal("0.0339") + step
    positions = [tick.position for tick in chart.price_ticks]
    assert positions == sorted(positions, reverse=True)  # higher price, higher on the page
    assert all(chart.price_top <= y <= chart.price_bottom for y in positions)
    # a tick sits where its price is drawn: the same scale as the candles
    first, last = CANDLES[0], chart.candles[0]
    scale = (positions[0] - positions[-1]) / float(values[-1] - values[0])
    low = float(Decimal(first.low_lamports) / 10**9)
    assert last.wick_bottom == pytest.approx(positions[0] - (low - float(values[0])) * scale, abs=0.05)


def test_tiny_prices_get_enough_places_to_tell_ticks_apart() -> None:
    ticks = price_chart.price_ticks(Fraction(3205, 10**11), Fraction(3213, 10**11))
    labels = [label for _, label in ticks]
    assert len(labels) == len(set(labels)) >= 3
    assert labels[0].startswith("0.0₇320")  # 0.0000000320…, its zeros counted as everywhere on the page


def test_time_axis_labels_round_times_in_utc_and_the_date_where_a_day_starts() -> None:
    chart = price_chart.render_candle_chart(CANDLES, DECIMALS, "5m")
    assert chart is not None
    labels = [tick.label for tick in chart.time_ticks]
    assert "13 Feb" in labels  # midnight UTC: the new day's date
    times = [label for label in labels if ":" in label]
    assert times and all(re.fullmatch(r"\d\d:[0-5]0", label) for label in times)
    assert all(int(label[3:]) % 15 == 0 for label in times)  # round quarter hours at this width
    xs = [tick.position for tick in chart.time_ticks]
    assert all(b - a >= price_chart.MIN_TIME_LABEL_GAP for a, b in pairwise(xs))


def test_daily_candles_are_labelled_with_dates() -> None:
    days = [candle(1440 * i, 30_000_000, 31_000_000, 29_000_000, 30_500_000, 10**9, interval=86400)
            for i in range(20)]
    chart = price_chart.render_candle_chart(days, DECIMALS, "1d")
    assert chart is not None
    assert chart.time_ticks and all(re.fullmatch(r"\d\d [A-Z][a-z]{2}", tick.label) for tick in chart.time_ticks)


def test_readout_is_each_candles_ohlcv_in_sol_never_base_units() -> None:
    source = candle(0, 28_410_000, 31_000_000, 27_500_000, 30_126_000, 1_234_567_890)
    chart = price_chart.render_candle_chart([source], DECIMALS, "5m")
    assert chart is not None
    readout = chart.candles[0].readout
    assert (readout.open, readout.high, readout.low, readout.close) == ("0.02841", "0.031", "0.0275", "0.03013")
    assert readout.volume == "1.2346"  # SOL, 4 places
    assert readout.change == "+6.04%"
    assert readout.time == "12 Feb 22:00" and readout.trades == 3
    text = readout.summary
    for raw in ("28410000", "1234567890", "31000000", "30126000", str(10**DECIMALS)):
        assert raw not in text.replace(",", "")
    assert "SOL" in text and "UTC" in text
    assert chart.latest == readout
    assert chart.last_price.label == "0.03013"


def test_falling_candle_is_marked_and_its_change_negative() -> None:
    chart = price_chart.render_candle_chart([candle(0, 30_000_000, 30_000_000, 27_000_000, 27_000_000, 10**9)],
                                            DECIMALS, "5m")
    assert chart is not None
    assert not chart.candles[0].rising and chart.candles[0].readout.change == "-10.00%"


def test_a_flat_market_still_draws_inside_the_plot() -> None:
    flat = [candle(5 * i, 30_000_000, 30_000_000, 30_000_000, 30_000_000, 0) for i in range(3)]
    chart = price_chart.render_candle_chart(flat, DECIMALS, "5m")
    assert chart is not None
    assert all(shape.volume_height == 0 for shape in chart.candles)
    assert all(chart.price_top < shape.body_top < chart.price_bottom for shape in chart.candles)
    assert chart.price_ticks
