"""Read services for token pages: holders, trades, candles, price, market cap, 24h change, volume."""
from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Select, Subquery, func, select

from webapp.extensions import db
from webapp.models import Candle, HolderAccount, Token, TokenMarket, TokenTrade, WalletActivity
from webapp.services.indexer.candles import INTERVALS, Price


def percent(part: int, whole: int, digits: int = 2) -> str:
    """part/whole as a percentage string, exact then truncated to `digits` places."""
    if whole <= 0:
        return "—"
    scaled = part * 100 * 10**digits // whole
    whole_part, fraction = divmod(abs(scaled), 10**digits)
    sign = "-" if scaled < 0 else ""
    return f"{sign}{whole_part}.{str(fraction).rjust(digits, '0')}" if digits else f"{sign}{whole_part}"


@dataclass(frozen=True)
class Holder:
    owner: str
    amount: int
    supply: int

    @property
    def share(self) -> str:
        """Share of supply in percent (exact, truncated)."""
        return percent(self.amount, self.supply, 4)


def _balances_by_owner(mint: str) -> Select[str | None, int]:
    total = func.sum(HolderAccount.amount).label("amount")
    return (select(HolderAccount.owner, total).where(HolderAccount.mint == mint, HolderAccount.owner.is_not(None))
            .group_by(HolderAccount.owner).having(func.sum(HolderAccount.amount) > 0))


def top_holders(mint: str, limit: int = 20) -> list[Holder]:
    supply = int(db.session.scalar(select(Token.supply).where(Token.mint == mint)) or 0)
    query = _balances_by_owner(mint).order_by(func.sum(HolderAccount.amount).desc(), HolderAccount.owner).limit(limit)
    return [Holder(owner, int(amount), supply) for owner, amount in db.session.execute(query).all()
            if owner is not None]  # the query already skips them; this tells the type checker


def balances_of(mint: str, owners: list[str]) -> dict[str, int]:
    """Indexed balances of `mint` held by each of `owners` (0 for an owner holding none)."""
    rows = db.session.execute(select(HolderAccount.owner, func.sum(HolderAccount.amount)).where(
        HolderAccount.mint == mint, HolderAccount.owner.in_(owners)).group_by(HolderAccount.owner)).all()
    found = {owner: int(amount or 0) for owner, amount in rows}
    return {owner: found.get(owner, 0) for owner in owners}


def holder_count(mint: str) -> int:
    return int(db.session.scalar(select(func.count()).select_from(_balances_by_owner(mint).subquery())) or 0)


def recent_trades(mint: str, limit: int = 50) -> list[TokenTrade]:
    return list(db.session.scalars(select(TokenTrade).where(TokenTrade.mint == mint)
                                   .order_by(TokenTrade.slot.desc(), TokenTrade.signature.desc()).limit(limit)))


def candles(mint: str, interval: str, since: datetime | None = None, limit: int = 500) -> list[Candle]:
    """Oldest first; `interval` is one of 1m, 5m, 1h, 1d."""
    if interval not in INTERVALS:
        raise ValueError(f"unknown interval {interval!r}; use one of {', '.join(INTERVALS)}")
    query = select(Candle).where(Candle.mint == mint, Candle.interval_seconds == INTERVALS[interval])
    if since is not None:
        query = query.where(Candle.starts_at >= since)
    newest = list(db.session.scalars(query.order_by(Candle.starts_at.desc()).limit(limit)))
    return newest[::-1]


@dataclass(frozen=True)
class MarketSummary:
    mint: str
    decimals: int
    supply: int
    price: Price | None
    market_cap_lamports: int | None
    change_24h_bps: int | None  # basis points, rounded down
    volume_24h_lamports: int
    volume_24h_units: int
    trades_24h: int
    holders: int = 0

    @property
    def change_24h(self) -> str:
        return "—" if self.change_24h_bps is None else percent(self.change_24h_bps, 10_000)


def volume_24h(until: datetime, mints: Collection[str] | None = None) -> Subquery:
    """Per mint: lamports, base units and trades of the 24 hours up to `until`.

    The one definition of "24h volume": the token page, its live figures and
    the directory (which also sorts by it) all count these trades, so they
    agree whenever they are read at the same moment.
    """
    query = (select(TokenTrade.mint, func.sum(TokenTrade.sol_amount).label("lamports"),
                    func.sum(TokenTrade.token_amount).label("units"), func.count().label("trades"))
             .where(TokenTrade.block_time > until - timedelta(hours=24), TokenTrade.block_time <= until))
    if mints is not None:
        query = query.where(TokenTrade.mint.in_(mints))
    return query.group_by(TokenTrade.mint).subquery()


def holder_counts(mints: Collection[str] | None = None) -> Subquery:
    """Per mint: how many owners hold some of it (one owner with many token accounts counts once)."""
    owners = select(HolderAccount.mint, HolderAccount.owner).where(HolderAccount.owner.is_not(None))
    if mints is not None:
        owners = owners.where(HolderAccount.mint.in_(mints))
    held = (owners.group_by(HolderAccount.mint, HolderAccount.owner)
            .having(func.sum(HolderAccount.amount) > 0).subquery())
    return select(held.c.mint, func.count().label("holders")).group_by(held.c.mint).subquery()


def market_summary(mint: str, now: datetime | None = None) -> MarketSummary | None:
    return market_figures([mint], now).get(mint)


def market_figures(mints: Collection[str], now: datetime | None = None) -> dict[str, MarketSummary]:
    """Price, market cap, 24h change and volume, and holders of each tracked mint in `mints`.

    What the token page shows and what the live feed pushes after each
    indexed batch: one query for all of them, plus the price a day ago per mint.
    """
    wanted = sorted(set(mints))
    if not wanted:
        return {}
    now = now or datetime.now(UTC)
    since = now - timedelta(hours=24)
    volume, holders = volume_24h(now, wanted), holder_counts(wanted)
    rows = db.session.execute(
        select(Token.mint, Token.decimals, Token.supply, TokenMarket, func.coalesce(volume.c.lamports, 0),
               func.coalesce(volume.c.units, 0), func.coalesce(volume.c.trades, 0),
               func.coalesce(holders.c.holders, 0))
        .outerjoin(TokenMarket, TokenMarket.mint == Token.mint)
        .outerjoin(volume, volume.c.mint == Token.mint)
        .outerjoin(holders, holders.c.mint == Token.mint)
        .where(Token.mint.in_(wanted))).all()
    figures = {}
    for mint, decimals, supply, stored, lamports, units, trades, count in rows:
        price = Price(int(stored.price_lamports), int(stored.price_units)) if stored else None
        then = _price_at(mint, since) if price is not None else None
        change = None if price is None or then is None else _change_bps(then, price)
        figures[mint] = MarketSummary(mint, decimals, int(supply), price,
                                      int(stored.market_cap_lamports) if stored else None, change,
                                      int(lamports), int(units), int(trades), int(count))
    return figures


def _change_bps(then: Price, now: Price) -> int:
    """How far the price moved from `then` to `now`, in basis points rounded down (exact integers)."""
    return (now.lamports * then.units - then.lamports * now.units) * 10_000 // (then.lamports * now.units)


def _price_at(mint: str, moment: datetime) -> Price | None:
    """The last price at `moment`, else the first price after it (a token younger than a day)."""
    before = db.session.execute(select(TokenTrade.sol_amount, TokenTrade.token_amount)
                                .where(TokenTrade.mint == mint, TokenTrade.block_time <= moment)
                                .order_by(TokenTrade.slot.desc(), TokenTrade.signature.desc()).limit(1)).first()
    if before is None:
        before = db.session.execute(select(TokenTrade.sol_amount, TokenTrade.token_amount)
                                    .where(TokenTrade.mint == mint, TokenTrade.block_time > moment)
                                    .order_by(TokenTrade.slot, TokenTrade.signature).limit(1)).first()
    return Price(int(before[0]), int(before[1])) if before else None


def involvement(mint: str, days: int = 30, today: date | None = None) -> list[tuple[date, int]]:
    """Distinct wallets that acted on the token, per day (UTC), oldest first."""
    today = today or datetime.now(UTC).date()
    rows = db.session.execute(select(WalletActivity.day, func.count()).where(
        WalletActivity.mint == mint, WalletActivity.day > today - timedelta(days=days))
        .group_by(WalletActivity.day).order_by(WalletActivity.day)).all()
    return [(day, int(count)) for day, count in rows]


def tracked_tokens() -> list[Token]:
    return list(db.session.scalars(select(Token).order_by(Token.id)))
