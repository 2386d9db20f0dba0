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
from webapp.models import BondingCurve, Token, TokenMarket, WalletActivity
from webapp.services.indexer import reads
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
    def in_pool(self) -> bool:
        return self.curve is not None and self.curve.phase == "pool"

    @property
    def graduated(self) -> bool:
        """Its curve sold out into its pool (a Stable Grounds pool opened at launch never graduated)."""
        return self.in_pool and self.token.tier != "stable_grounds"

    @property
    def curve_sold_bps(self) -> int | None:
        """Share of the curve's sellable tokens sold, while it still sells."""
        return markets.progress_figures(self.curve).get("curve_progress_bps")


@dataclass(frozen=True)
class DirectoryFilters:
    """Everything that decides which tokens a directory page lists and in what order."""

    search: str = ""
    tier: str = ""
    graduated: str = ""
    sort: str = "trending"

    def query_args(self) -> dict[str, str]:
        """The filters as the directory's query string (`q`, `tier`, `graduated`, `sort`), empty ones left out."""
        args = {"q": self.search, "tier": self.tier, "graduated": self.graduated, "sort": self.sort}
        return {key: value for key, value in args.items() if value}


@dataclass(frozen=True)
class DirectoryCursor:
    """Where the next page starts, and the filters and moment the previous page was read with."""

    filters: DirectoryFilters
    as_of: datetime
    sort_key: int
    token_id: int


@dataclass(frozen=True)
class DirectoryPage:
    cards: list[TokenCard]
    next_cursor: str | None
    filters: DirectoryFilters = DirectoryFilters()


def _figures(until: datetime) -> tuple[Subquery, Subquery, Subquery]:
    # Bounded above by `until` so every page of one listing counts the same trades and wallets; volume and
    # holders are the token page's own definitions (reads), so a card and its page show the same figures.
    since_7d = until - timedelta(days=7)
    active = (select(WalletActivity.mint, func.count(func.distinct(WalletActivity.wallet)).label("active"))
              .where(WalletActivity.day > since_7d.date(), WalletActivity.day <= until.date())
              .group_by(WalletActivity.mint).subquery())
    return reads.volume_24h(until), reads.holder_counts(), active


def _sort_key(sort: str, volume: Subquery, holders: Subquery,
              active: Subquery) -> ColumnElement[Any] | InstrumentedAttribute[int]:
    """An integer per token, higher first (newest: by id)."""
    if sort == "market_cap":
        return func.coalesce(TokenMarket.market_cap_lamports, 0)
    if sort == "volume":
        return func.coalesce(volume.c.lamports, 0)
    if sort == "holders":
        return func.coalesce(holders.c.holders, 0)
    if sort == "trending":
        # recent volume weighted by how many distinct wallets took part this week
        return func.coalesce(volume.c.lamports, 0) * (1 + func.coalesce(active.c.active, 0))
    return Token.id


def directory(
    *, search: str = "", tier: str = "", graduated: str = "", sort: str = "trending", cursor: str | None = None,
    limit: int = PAGE_SIZE, now: datetime | None = None,
) -> DirectoryPage:
    """One page of tokens; `cursor` (the previous page's next_cursor) must come with the same filters."""
    filters = DirectoryFilters(search.strip()[:64], tier, graduated, sort)
    if sort not in SORTS:
        raise DirectoryError(f"Unknown sort {sort!r}; use one of {', '.join(SORTS)}.")
    if tier and tier not in ("wild_fires", "stable_grounds"):
        raise DirectoryError("Tier must be wild_fires or stable_grounds.")
    if graduated not in ("", "yes", "no"):
        raise DirectoryError("Graduated must be yes or no.")
    after = decode_cursor(cursor) if cursor else None
    if after is not None and after.filters != filters:
        # A key from another sort or filter would start this listing at the wrong place.
        raise DirectoryError("That page link belongs to other filters; start from the first page.")
    now = after.as_of if after is not None else (now or datetime.now(UTC))
    volume, holders, active = _figures(now)
    key = _sort_key(sort, volume, holders, active).label("sort_key")
    query: Select = (
        select(Token, TokenMarket, func.coalesce(volume.c.lamports, 0), func.coalesce(holders.c.holders, 0),
               func.coalesce(active.c.active, 0), BondingCurve, key)
        .outerjoin(TokenMarket, TokenMarket.mint == Token.mint)
        .outerjoin(BondingCurve, BondingCurve.mint == Token.mint)
        .outerjoin(volume, volume.c.mint == Token.mint)
        .outerjoin(holders, holders.c.mint == Token.mint)
        .outerjoin(active, active.c.mint == Token.mint)
    )
    if filters.search:
        pattern = f"%{filters.search}%"
        query = query.where(or_(Token.name.ilike(pattern), Token.symbol.ilike(pattern), Token.mint.ilike(pattern)))
    if tier:
        query = query.where(Token.tier == tier)
    if graduated == "yes":
        query = query.where(BondingCurve.phase == "pool")
    elif graduated == "no":
        query = query.where(BondingCurve.phase.in_(("curve", "graduating")))
    if after is not None:
        query = query.where(or_(key < after.sort_key, and_(key == after.sort_key, Token.id < after.token_id)))
    rows = db.session.execute(query.order_by(key.desc(), Token.id.desc()).limit(limit + 1)).all()
    cards = [
        TokenCard(token, Price(int(m.price_lamports), int(m.price_units)) if m else None,
                  int(m.market_cap_lamports) if m else 0, int(vol), int(count), int(act), curve)
        for token, m, vol, count, act, curve, _ in rows[:limit]
    ]
    next_cursor = None
    if len(rows) > limit:
        last = rows[limit - 1]
        next_cursor = encode_cursor(DirectoryCursor(filters, now, int(last[-1]), last[0].id))
    return DirectoryPage(cards, next_cursor, filters)


def encode_cursor(cursor: DirectoryCursor) -> str:
    f = cursor.filters
    payload = [f.sort, f.search, f.tier, f.graduated, cursor.as_of.isoformat(), str(cursor.sort_key), cursor.token_id]
    return base64.urlsafe_b64encode(json.dumps(payload, separators=(",", ":")).encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> DirectoryCursor:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        sort, search, tier, graduated, as_of, key, token_id = json.loads(base64.urlsafe_b64decode(padded.encode()))
        moment = datetime.fromisoformat(as_of)
        if not all(isinstance(text, str) for text in (sort, search, tier, graduated)) or moment.tzinfo is None:
            raise ValueError("malformed cursor")
        return DirectoryCursor(DirectoryFilters(search, tier, graduated, sort), moment, int(key), int(token_id))
    except (ValueError, TypeError) as exc:
        raise DirectoryError("That page link is broken; start from the first page.") from exc
