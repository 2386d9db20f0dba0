"""Read services for token pages: holders, trades, candles, price, market cap, 24h change, volume."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Select, func, select

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

    @property
    def change_24h(self) -> str:
        return "—" if self.change_24h_bps is None else percent(self.change_24h_bps, 10_000)


def market_summary(mint: str, now: datetime | None = None) -> MarketSummary | None:
    token = db.session.scalar(select(Token).where(Token.mint == mint))
    if token is None:
        return None
    now = now or datetime.now(UTC)
    since = now - timedelta(hours=24)
    stored = db.session.get(TokenMarket, mint)
    price = Price(int(stored.price_lamports), int(stored.price_units)) if stored else None
    volume = db.session.execute(
        select(func.coalesce(func.sum(TokenTrade.sol_amount), 0), func.coalesce(func.sum(TokenTrade.token_amount), 0),
               func.count()).where(TokenTrade.mint == mint, TokenTrade.block_time > since)).one()
    then = _price_at(mint, since)
    change = None
    if price is not None and then is not None:
        change = (price.lamports * then.units - then.lamports * price.units) * 10_000 // (then.lamports * price.units)
    return MarketSummary(mint, token.decimals, int(token.supply), price,
                         int(stored.market_cap_lamports) if stored else None, change,
                         int(volume[0]), int(volume[1]), int(volume[2]))


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
