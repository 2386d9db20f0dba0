"""OHLCV candles from trades, with prices as exact (lamports, base units) ratios (pure)."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

# 1m, 5m, 1h, 1d
INTERVALS: dict[str, int] = {"1m": 60, "5m": 300, "1h": 3600, "1d": 86400}


@dataclass(frozen=True)
class Price:
    """`lamports` paid for `units` token base units: an exact ratio, never a float."""

    lamports: int
    units: int

    def __lt__(self, other: Price) -> bool:
        return self.lamports * other.units < other.lamports * self.units

    def __gt__(self, other: Price) -> bool:
        return other < self

    def lamports_per_token(self, decimals: int) -> int:
        """Lamports for one whole token (10**decimals base units), rounded down with integer math."""
        return self.lamports * 10**decimals // self.units

    def sol_per_token(self, decimals: int, digits: int = 12) -> str:
        """SOL for one whole token as a decimal string with `digits` places, exact then truncated."""
        scaled = self.lamports * 10**decimals * 10**digits // (self.units * 10**9)
        whole, fraction = divmod(scaled, 10**digits)
        text = f"{whole}.{str(fraction).rjust(digits, '0')}".rstrip("0").rstrip(".")
        return text or "0"


@dataclass(frozen=True)
class TradePoint:
    mint: str
    slot: int
    signature: str
    at: datetime
    price: Price
    token_amount: int
    sol_amount: int


@dataclass(frozen=True)
class CandleDraft:
    """A candle built from a batch's trades, merged into the stored one by an upsert."""

    mint: str
    interval_seconds: int
    starts_at: datetime
    open: Price
    open_key: tuple[int, str]
    high: Price
    low: Price
    close: Price
    close_key: tuple[int, str]
    volume_lamports: int
    volume_units: int
    trades: int

    def row(self) -> dict[str, object]:
        return {
            "mint": self.mint, "interval_seconds": self.interval_seconds, "starts_at": self.starts_at,
            "open_lamports": self.open.lamports, "open_units": self.open.units,
            "open_slot": self.open_key[0], "open_signature": self.open_key[1],
            "high_lamports": self.high.lamports, "high_units": self.high.units,
            "low_lamports": self.low.lamports, "low_units": self.low.units,
            "close_lamports": self.close.lamports, "close_units": self.close.units,
            "close_slot": self.close_key[0], "close_signature": self.close_key[1],
            "volume_lamports": self.volume_lamports, "volume_units": self.volume_units, "trades": self.trades,
        }


def bucket_start(at: datetime, interval_seconds: int) -> datetime:
    seconds = int(at.timestamp())
    return datetime.fromtimestamp(seconds - seconds % interval_seconds, UTC)


def candle_drafts(trades: Iterable[TradePoint], intervals: Iterable[int] = INTERVALS.values()) -> list[CandleDraft]:
    """One draft per (mint, interval, bucket), sorted by key (a stable lock order for the upsert).

    Equal to merging the trades one by one in batch order (open: the first
    trade with the lowest (slot, signature); close: the last with the highest),
    but each candle is built once from its trades: this runs for every indexed batch.
    """
    sizes = list(intervals)
    buckets: dict[tuple[str, int, int], list[TradePoint]] = {}
    for trade in trades:
        seconds = int(trade.at.timestamp())
        for size in sizes:
            buckets.setdefault((trade.mint, size, seconds - seconds % size), []).append(trade)
    return [_draft(mint, size, start, buckets[(mint, size, start)]) for mint, size, start in sorted(buckets)]


def _draft(mint: str, size: int, start: int, points: list[TradePoint]) -> CandleDraft:
    first = last = high = low = points[0]
    for point in points[1:]:
        key = (point.slot, point.signature)
        if key < (first.slot, first.signature):
            first = point
        if key >= (last.slot, last.signature):
            last = point
        if point.price > high.price:
            high = point
        if point.price < low.price:
            low = point
    return CandleDraft(
        mint, size, datetime.fromtimestamp(start, UTC), first.price, (first.slot, first.signature),
        high.price, low.price, last.price, (last.slot, last.signature),
        sum(p.sol_amount for p in points), sum(p.token_amount for p in points), len(points))
