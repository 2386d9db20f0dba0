"""A candle chart as SVG geometry, computed on the server (no chart script in the browser).

Prices stay exact ratios (fractions.Fraction of lamports per base unit) until
the very last step, where they become pixel coordinates for rendering.
"""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from webapp.models import Candle
from webapp.money import sol_price
from webapp.services.indexer.candles import Price

WIDTH, HEIGHT = 760, 280
PAD_LEFT, PAD_RIGHT, PAD_TOP, PAD_BOTTOM = 8, 112, 14, 24


@dataclass(frozen=True)
class CandleShape:
    x: float
    width: float
    wick_top: float
    wick_bottom: float
    body_top: float
    body_height: float
    rising: bool
    label: str


@dataclass(frozen=True)
class PriceChart:
    width: int
    height: int
    candles: list[CandleShape]
    gridlines: list[tuple[float, str]]  # y, price label (SOL per token)
    first_label: str
    last_label: str


def _ratio(lamports: int, units: int) -> Fraction:
    return Fraction(int(lamports), int(units))


def render_candle_chart(candles: list[Candle], decimals: int) -> PriceChart | None:
    """Pixel geometry for the candles, oldest left; None when there is nothing to draw."""
    if not candles:
        return None
    highs = [_ratio(c.high_lamports, c.high_units) for c in candles]
    lows = [_ratio(c.low_lamports, c.low_units) for c in candles]
    top, bottom = max(highs), min(lows)
    if top == bottom:
        top, bottom = top * Fraction(11, 10), bottom * Fraction(9, 10)
    plot_height = HEIGHT - PAD_TOP - PAD_BOTTOM
    step = min((WIDTH - PAD_LEFT - PAD_RIGHT) / max(len(candles), 1), 30.0)
    left = WIDTH - PAD_RIGHT - step * len(candles)  # few candles sit at the right, newest last

    def y(price: Fraction) -> float:
        return round(PAD_TOP + float((top - price) / (top - bottom)) * plot_height, 2)

    shapes = []
    for index, candle in enumerate(candles):
        opened = _ratio(candle.open_lamports, candle.open_units)
        closed = _ratio(candle.close_lamports, candle.close_units)
        body_top, body_bottom = y(max(opened, closed)), y(min(opened, closed))
        shapes.append(CandleShape(
            x=round(left + index * step + step * 0.15, 2), width=round(max(step * 0.7, 1.0), 2),
            wick_top=y(highs[index]), wick_bottom=y(lows[index]),
            body_top=body_top, body_height=max(round(body_bottom - body_top, 2), 1.0),
            rising=closed >= opened,
            label=f"{candle.starts_at:%d %b %H:%M} · close {sol_per_token(closed, decimals)} SOL",
        ))
    grid = [(y(price), sol_per_token(price, decimals))
            for price in (top, bottom + (top - bottom) * 2 / 3, bottom + (top - bottom) / 3, bottom)]
    return PriceChart(WIDTH, HEIGHT, shapes, grid, f"{candles[0].starts_at:%d %b %H:%M}",
                      f"{candles[-1].starts_at:%d %b %H:%M}")


def sol_per_token(price: Fraction, decimals: int) -> str:
    """A lamports-per-base-unit ratio as SOL for one whole token (4 significant figures)."""
    return sol_price(Price(price.numerator, price.denominator), decimals)
