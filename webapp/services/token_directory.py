"""The tokens directory: filters, sorts and keyset pagination over tracked tokens."""
from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, Subquery, and_, func, or_, select
from sqlalchemy.orm import InstrumentedAttribute

from webapp.extensions import db
from webapp.models import BondingCurve, HolderAccount, Token, TokenMarket, TokenTrade, WalletActivity
from webapp.services.indexer.candles import Price
from webapp.services.trading import markets

SORTS = ("trending", "market_cap", "newest", "volume", "holders")
PAGE_SIZE = 24


class DirectoryError(ValueError):
    """A filter, sort or cursor the directory does not understand."""


@dataclass(frozen=True)
class TokenCard:
    token: Token
    price: Price | None
    market_cap_lamports: int
    volume_24h_lamports: int
    holders: int
    active_wallets_7d: int
    curve: BondingCurve | None = None

    @property
    def graduated(self) -> bool:
        return self.curve is not None and self.curve.phase == "pool"

    @property
    def curve_sold_bps(self) -> int | None:
        """Share of the curve's sellable tokens sold, while it still sells."""
        return markets.progress_figures(self.curve).get("curve_progress_bps")


@dataclass(frozen=True)
class DirectoryPage:
    cards: list[TokenCard]
    next_cursor: str | None


def _figures(since_24h: datetime, since_7d: datetime) -> tuple[Subquery, Subquery, Subquery]:
    volume = (select(TokenTrade.mint, func.sum(TokenTrade.sol_amount).label("volume"))
              .where(TokenTrade.block_time > since_24h).group_by(TokenTrade.mint).subquery())
    holders = (select(HolderAccount.mint, func.count(func.distinct(HolderAccount.owner)).label("holders"))
               .where(HolderAccount.amount > 0).group_by(HolderAccount.mint).subquery())
    active = (select(WalletActivity.mint, func.count(func.distinct(WalletActivity.wallet)).label("active"))
              .where(WalletActivity.day > since_7d.date()).group_by(WalletActivity.mint).subquery())
    return volume, holders, active


def _sort_key(sort: str, volume: Subquery, holders: Subquery,
              active: Subquery) -> ColumnElement[Any] | InstrumentedAttribute[int]:
    """An integer per token, higher first (newest: by id)."""
    if sort == "market_cap":
        return func.coalesce(TokenMarket.market_cap_lamports, 0)
    if sort == "volume":
        return func.coalesce(volume.c.volume, 0)
    if sort == "holders":
        return func.coalesce(holders.c.holders, 0)
    if sort == "trending":
        # recent volume weighted by how many distinct wallets took part this week
        return func.coalesce(volume.c.volume, 0) * (1 + func.coalesce(active.c.active, 0))
    return Token.id


def directory(
    *, search: str = "", tier: str = "", graduated: str = "", sort: str = "trending", cursor: str | None = None,
    limit: int = PAGE_SIZE, now: datetime | None = None,
) -> DirectoryPage:
    if sort not in SORTS:
        raise DirectoryError(f"Unknown sort {sort!r}; use one of {', '.join(SORTS)}.")
    if tier and tier not in ("wild_fires", "stable_grounds"):
        raise DirectoryError("Tier must be wild_fires or stable_grounds.")
    if graduated not in ("", "yes", "no"):
        raise DirectoryError("Graduated must be yes or no.")
    now = now or datetime.now(UTC)
    volume, holders, active = _figures(now - timedelta(hours=24), now - timedelta(days=7))
    key = _sort_key(sort, volume, holders, active).label("sort_key")
    query: Select = (
        select(Token, TokenMarket, func.coalesce(volume.c.volume, 0), func.coalesce(holders.c.holders, 0),
               func.coalesce(active.c.active, 0), BondingCurve, key)
        .outerjoin(TokenMarket, TokenMarket.mint == Token.mint)
        .outerjoin(BondingCurve, BondingCurve.mint == Token.mint)
        .outerjoin(volume, volume.c.mint == Token.mint)
        .outerjoin(holders, holders.c.mint == Token.mint)
        .outerjoin(active, active.c.mint == Token.mint)
    )
    if search.strip():
        pattern = f"%{search.strip()[:64]}%"
        query = query.where(or_(Token.name.ilike(pattern), Token.symbol.ilike(pattern), Token.mint.ilike(pattern)))
    if tier:
        query = query.where(Token.tier == tier)
    if graduated == "yes":
        query = query.where(BondingCurve.phase == "pool")
    elif graduated == "no":
        query = query.where(BondingCurve.phase.in_(("curve", "graduating")))
    if cursor:
        after_key, after_id = decode_cursor(cursor)
        query = query.where(or_(key < after_key, and_(key == after_key, Token.id < after_id)))
    rows = db.session.execute(query.order_by(key.desc(), Token.id.desc()).limit(limit + 1)).all()
    cards = [
        TokenCard(token, Price(int(m.price_lamports), int(m.price_units)) if m else None,
                  int(m.market_cap_lamports) if m else 0, int(vol), int(count), int(act), curve)
        for token, m, vol, count, act, curve, _ in rows[:limit]
    ]
    next_cursor = encode_cursor(int(rows[limit - 1][-1]), rows[limit - 1][0].id) if len(rows) > limit else None
    return DirectoryPage(cards, next_cursor)


def encode_cursor(sort_key: int, token_id: int) -> str:
    return base64.urlsafe_b64encode(json.dumps([str(sort_key), token_id]).encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[int, int]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        key, token_id = json.loads(base64.urlsafe_b64decode(padded.encode()))
        return int(key), int(token_id)
    except (ValueError, TypeError) as exc:
        raise DirectoryError("That page link is broken; start from the first page.") from exc

