"""A candle chart as SVG geometry, computed on the server (no chart script in the browser).

Prices stay exact ratios (fractions.Fraction) until the very last step, where
they become pixel coordinates and the text a trader reads: SOL per whole token
on the price axis and in the readout, SOL for volume, times in UTC. The
template draws candles above volume bars; each candle carries the readout
(open, high, low, close, volume) that CSS shows while the pointer is over it.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_CEILING, ROUND_HALF_EVEN, Decimal
from fractions import Fraction

from webapp.models import Candle
from webapp.money import LAMPORTS_PER_SOL_DECIMALS, price_text, readable_price, sol_text
from webapp.services.indexer.candles import INTERVALS

WIDTH, HEIGHT = 760, 330
PLOT_LEFT, PLOT_RIGHT = 8, 664  # the price axis labels sit right of the plot
READOUT_Y = 16  # baseline of the OHLCV readout, above the candles
PRICE_TOP, PRICE_BOTTOM = 28, 226
VOLUME_TOP, VOLUME_BOTTOM = 238, 298
TIME_LABEL_Y = 316
MAX_CANDLE_STEP = 30.0
PRICE_TICKS = 4  # about this many labelled prices on the axis
MIN_TIME_LABEL_GAP = 72.0  # pixels between two time labels, so they never run together
# Candidate spacings of the time labels for each interval, in minutes: round times a trader expects.
TIME_LABEL_MINUTES: dict[str, tuple[int, ...]] = {
    "1m": (5, 10, 15, 30, 60, 120, 240),
    "5m": (15, 30, 60, 120, 240, 360, 720),
    "1h": (180, 360, 720, 1440, 2880),
    "1d": (1440, 2880, 10080, 20160, 43200),
}


@dataclass(frozen=True)
class Readout:
    """What a trader reads for one candle, every figure already in SOL (per whole token for prices)."""

    time: str  # start of the candle, UTC
    open: str
    high: str
    low: str
    close: str
    change: str  # close against open, signed percent
    volume: str  # SOL traded in the candle
    trades: int

    @property
    def summary(self) -> str:
        """The readout as one sentence (the candle's SVG title, read by screen readers and shown as a tooltip)."""
        return (f"{self.time} UTC: open {self.open}, high {self.high}, low {self.low}, close {self.close} SOL "
                f"per token ({self.change}); volume {self.volume} SOL in {self.trades} "
                f"trade{'' if self.trades == 1 else 's'}")


@dataclass(frozen=True)
class CandleShape:
    slot_x: float  # the candle's whole column: the area that shows its readout under the pointer
    slot_width: float
    x: float
    width: float
    wick_top: float
    wick_bottom: float
    body_top: float
    body_height: float
    volume_top: float
    volume_height: float
    rising: bool
    readout: Readout


@dataclass(frozen=True)
class AxisTick:
    position: float  # y for a price, x (centre) for a time
    label: str


@dataclass(frozen=True)
class PriceChart:
    width: int
    height: int
    candles: list[CandleShape]
    price_ticks: list[AxisTick]  # SOL per token, bottom to top
    time_ticks: list[AxisTick]  # UTC, left to right
    volume_label: str  # the tallest bar's volume in SOL
    last_price: AxisTick  # the newest close, marked on the price axis
    plot_left: int = PLOT_LEFT
    plot_right: int = PLOT_RIGHT
    readout_y: int = READOUT_Y
    price_top: int = PRICE_TOP
    price_bottom: int = PRICE_BOTTOM
    volume_top: int = VOLUME_TOP
    volume_bottom: int = VOLUME_BOTTOM
    time_label_y: int = TIME_LABEL_Y

    @property
    def latest(self) -> Readout:
        """The newest candle's readout: shown while the pointer is over no candle."""
        return self.candles[-1].readout


def render_candle_chart(candles: list[Candle], decimals: int, interval: str = "5m") -> PriceChart | None:
    """Pixel geometry and labels for the candles, oldest left; None when there is nothing to draw."""
    if not candles:
        return None
    per_token = Fraction(10**decimals, 10**LAMPORTS_PER_SOL_DECIMALS)  # lamports per base unit → SOL per token
    highs = [Fraction(int(c.high_lamports), int(c.high_units)) * per_token for c in candles]
    lows = [Fraction(int(c.low_lamports), int(c.low_units)) * per_token for c in candles]
    top, bottom = _padded_range(max(highs), min(lows))
    price_height = PRICE_BOTTOM - PRICE_TOP

    def y(price: Fraction) -> float:
        return round(PRICE_TOP + float((top - price) / (top - bottom)) * price_height, 2)

    step = min((PLOT_RIGHT - PLOT_LEFT) / len(candles), MAX_CANDLE_STEP)
    left = PLOT_RIGHT - step * len(candles)  # few candles sit at the right, newest last
    tallest = max(int(c.volume_lamports) for c in candles)
    shapes = []
    for index, candle in enumerate(candles):
        opened = Fraction(int(candle.open_lamports), int(candle.open_units)) * per_token
        closed = Fraction(int(candle.close_lamports), int(candle.close_units)) * per_token
        body_top, body_bottom = y(max(opened, closed)), y(min(opened, closed))
        volume_height = round(int(candle.volume_lamports) / tallest * (VOLUME_BOTTOM - VOLUME_TOP), 2) if tallest else 0
        slot_x = left + index * step
        shapes.append(CandleShape(
            slot_x=round(slot_x, 2), slot_width=round(step, 2),
            x=round(slot_x + step * 0.15, 2), width=round(max(step * 0.7, 1.0), 2),
            wick_top=y(highs[index]), wick_bottom=y(lows[index]),
            body_top=body_top, body_height=max(round(body_bottom - body_top, 2), 1.0),
            volume_top=round(VOLUME_BOTTOM - volume_height, 2), volume_height=volume_height,
            rising=closed >= opened, readout=_readout(candle, decimals, opened, closed),
        ))
    last_close = Fraction(int(candles[-1].close_lamports), int(candles[-1].close_units)) * per_token
    return PriceChart(
        width=WIDTH, height=HEIGHT, candles=shapes,
        price_ticks=[AxisTick(y(Fraction(tick)), label) for tick, label in price_ticks(bottom, top)],
        time_ticks=time_ticks([c.starts_at for c in candles], interval, left, step),
        volume_label=f"{sol_text(tallest)} SOL",
        last_price=AxisTick(y(last_close), _price_label(candles[-1].close_lamports, candles[-1].close_units, decimals)),
    )


def _padded_range(top: Fraction, bottom: Fraction) -> tuple[Fraction, Fraction]:
    """The price range to draw: the candles' range with a little air above and below."""
    if top == bottom:
        air = top / 10 if top else Fraction(1)
    else:
        air = (top - bottom) / 16
    return top + air, max(bottom - air, Fraction(0))


def price_ticks(bottom: Fraction, top: Fraction, count: int = PRICE_TICKS) -> list[tuple[Decimal, str]]:
    """Round prices (SOL per token) between bottom and top, at a 1-2-2.5-5 step, with their labels."""
    span = _decimal(top - bottom)
    raw = span / count
    magnitude = Decimal(1).scaleb(raw.adjusted())
    step = next(magnitude * m for m in (Decimal(1), Decimal(2), Decimal("2.5"), Decimal(5), Decimal(10))
                if magnitude * m >= raw)
    places = max(0, -int(step.normalize().as_tuple().exponent))
    first = (_decimal(bottom) / step).to_integral_value(rounding=ROUND_CEILING) * step
    ticks, tick = [], first
    while Fraction(tick) <= top:
        if Fraction(tick) >= bottom:
            ticks.append((tick, readable_price(f"{tick:,.{places}f}")))  # tiny prices as on the rest of the page
        tick += step
    return ticks


def time_ticks(starts: list[datetime], interval: str, left: float, step: float) -> list[AxisTick]:
    """Labels at round times (UTC) that suit the interval, spaced so they never run together.

    A label goes on the first candle of each round period (every 15 minutes, 6 hours, week…);
    the day's date replaces the time where a new day starts, and a daily chart shows dates only.
    """
    seconds = INTERVALS[interval]
    minutes = TIME_LABEL_MINUTES[interval]
    period = next((m * 60 for m in minutes if m * 60 / seconds * step >= MIN_TIME_LABEL_GAP), minutes[-1] * 60)
    ticks: list[AxisTick] = []
    last_x, last_day = -MIN_TIME_LABEL_GAP, None
    for index, moment in enumerate(starts):
        bucket = int(moment.timestamp()) // period
        if index and bucket == int(starts[index - 1].timestamp()) // period:
            continue
        x = round(left + (index + 0.5) * step, 2)
        if x - last_x < MIN_TIME_LABEL_GAP or x < PLOT_LEFT + MIN_TIME_LABEL_GAP / 2:
            continue
        new_day = last_day is not None and moment.date() != last_day
        label = f"{moment:%d %b}" if interval == "1d" or new_day else f"{moment:%H:%M}"
        ticks.append(AxisTick(x, label))
        last_x, last_day = x, moment.date()
    if not ticks:  # one or two candles: name the newest
        newest = starts[-1]
        ticks.append(AxisTick(round(left + (len(starts) - 0.5) * step, 2),
                              f"{newest:%d %b}" if interval == "1d" else f"{newest:%d %b %H:%M}"))
    return ticks


def _readout(candle: Candle, decimals: int, opened: Fraction, closed: Fraction) -> Readout:
    change = Decimal(0) if not opened else _decimal((closed - opened) / opened * 100).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_EVEN)
    return Readout(
        time=f"{candle.starts_at:%d %b %H:%M}",
        open=_price_label(candle.open_lamports, candle.open_units, decimals),
        high=_price_label(candle.high_lamports, candle.high_units, decimals),
        low=_price_label(candle.low_lamports, candle.low_units, decimals),
        close=_price_label(candle.close_lamports, candle.close_units, decimals),
        change=f"{'+' if change > 0 else ''}{change}%", volume=sol_text(int(candle.volume_lamports)),
        trades=int(candle.trades),
    )


def _price_label(lamports: int, units: int, decimals: int) -> str:
    return readable_price(price_text(int(lamports), int(units), decimals))


def _decimal(value: Fraction) -> Decimal:
    return Decimal(value.numerator) / Decimal(value.denominator)
