"""The token page's read model: everything /tokens/<mint> shows, from PostgreSQL (indexer, markets, launches).

`build` gathers it in one place so the view only parses input and renders;
its fragments take their part of it (`chart` for the interval switch). Nothing
here reads the chain: balances are the indexed ones, which reconciliation
checks against the chain.

The page holds nothing of the visitor's, so what `build` returns renders to
one set of bytes every visitor can share (the page cache keeps it). The one
part that is the visitor's own, their stake and wallet, is the stake card's
fragment (tokens/stake_views.py), loaded into the page separately.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from webapp import live
from webapp.extensions import db
from webapp.models import (
    BondingCurve,
    Discussion,
    LaunchApplication,
    LaunchStatus,
    MarketPhase,
    PlatformWallet,
    Token,
    TokenTrade,
)
from webapp.services import bonding_curve, price_chart, token_vesting
from webapp.services.community import challenge_pages
from webapp.services.community import discussions as community_discussions
from webapp.services.indexer import reads
from webapp.services.indexer.candles import INTERVALS
from webapp.services.staking import wallets as stake_wallets
from webapp.services.trading import markets

DEFAULT_INTERVAL = "5m"
CHART_CANDLES = 60
TOP_HOLDERS = 20
RECENT_TRADES = 50
INVOLVEMENT_DAYS = 7
COMMUNITY_PANEL_SIZE = 5
# what each kind of platform wallet is, in words (a wallet's name is "<kind>_<launch or token>")
WALLET_KINDS = {"curve": "curve vault", "pool": "pool", "escrow": "team escrow", "stake": "stake escrow",
                "fund": "community fund"}


class TokenNotFound(LookupError):
    """The mint is not one Momentum tracks."""


@dataclass(frozen=True)
class TokenChart:
    """The candle chart at one interval, with the intervals a visitor can switch to."""

    mint: str
    interval: str
    intervals: tuple[str, ...]
    drawing: price_chart.PriceChart | None  # None before the first trade at this interval


@dataclass(frozen=True)
class HolderRow:
    owner: str
    amount: int  # token base units
    share: str  # percent of supply, exact and truncated
    label: str | None  # what a platform or team address is, in words


@dataclass(frozen=True)
class MarketVenue:
    """Where the token trades on Momentum: its curve, or the pool the curve graduated into."""

    curve: BondingCurve
    progress: bonding_curve.Progress | None  # while the curve still sells


@dataclass(frozen=True)
class StakingTotals:
    """Indexed balances of the token's stake escrow and community fund (tokens launched here)."""

    staked: int
    fund: int


@dataclass(frozen=True)
class LaunchFacts:
    """The on-chain facts of a launch made here."""

    created_signature: str
    supply_fixed_signature: str | None
    links: dict[str, str]


@dataclass(frozen=True)
class TokenPage:
    token: Token
    title: str
    market: reads.MarketSummary | None
    holder_count: int
    holders: tuple[HolderRow, ...]
    trades: tuple[dict[str, object], ...]  # newest first, as the live feed's rows
    involvement: tuple[tuple[date, int], ...]  # distinct wallets per day, oldest first
    chart: TokenChart
    venue: MarketVenue | None
    staking: StakingTotals | None
    launch: LaunchFacts | None
    vesting: token_vesting.VestingPanel | None  # Stable Grounds tokens launched here
    challenges: tuple[challenge_pages.ChallengeSummary, ...] = ()  # running, then upcoming
    discussions: tuple[Discussion, ...] = ()  # the hottest few, for the community panel


def build(mint: str, interval: str = DEFAULT_INTERVAL) -> TokenPage:
    """Everything the token page shows, with the chart at `interval` (one of INTERVALS)."""
    token = _tracked(mint)
    launch = db.session.scalar(select(LaunchApplication).where(LaunchApplication.mint == mint))
    labels = _holder_labels(launch)
    market = reads.market_summary(mint)  # the figures the live feed pushes after each trade, from the same function
    return TokenPage(
        token=token, title=token.name or token.mint, market=market,
        holder_count=market.holders if market else 0,
        holders=tuple(HolderRow(h.owner, h.amount, h.share, labels.get(h.owner))
                      for h in reads.top_holders(mint, TOP_HOLDERS)),
        trades=tuple(_trade_row(token, trade) for trade in reads.recent_trades(mint, RECENT_TRADES)),
        involvement=tuple(reads.involvement(mint, INVOLVEMENT_DAYS)), chart=_chart(token, interval),
        venue=_venue(mint), staking=_staking(token, launch), launch=_launch_facts(launch),
        vesting=token_vesting.panel(mint), challenges=challenge_pages.token_panel(token),
        discussions=community_discussions.hottest(token.id, COMMUNITY_PANEL_SIZE),
    )


def chart(mint: str, interval: str) -> TokenChart:
    """The page's chart at another interval (the interval switch's fragment)."""
    return _chart(_tracked(mint), interval)


def _tracked(mint: str) -> Token:
    token = db.session.scalar(select(Token).where(Token.mint == mint))
    if token is None:
        raise TokenNotFound("Momentum does not track this mint.")
    return token


def _chart(token: Token, interval: str) -> TokenChart:
    if interval not in INTERVALS:
        raise ValueError(f"Unknown interval {interval!r}; use one of {', '.join(INTERVALS)}.")
    drawing = price_chart.render_candle_chart(reads.candles(token.mint, interval, limit=CHART_CANDLES), token.decimals,
                                              interval)
    return TokenChart(token.mint, interval, tuple(INTERVALS), drawing)


def _trade_row(token: Token, trade: TokenTrade) -> dict[str, object]:
    """A stored trade as the row the live hub pushes for new ones (the page draws them all with its macro)."""
    return live.transaction_view(
        signature=trade.signature, label=trade.side, wallet=trade.wallet or "",
        token_amount=int(trade.token_amount), decimals=token.decimals, sol_amount=int(trade.sol_amount),
        symbol=token.symbol, block_time=trade.block_time)


def _venue(mint: str) -> MarketVenue | None:
    curve = markets.curve_for(mint)
    if curve is None:
        return None
    selling = curve.phase == MarketPhase.CURVE.value
    return MarketVenue(curve, markets.progress(curve) if selling else None)


def _staking(token: Token, launch: LaunchApplication | None) -> StakingTotals | None:
    if launch is None or launch.status != LaunchStatus.LAUNCHED.value:
        return None
    found = stake_wallets.addresses(token)
    balances = reads.balances_of(token.mint, [address for address in (found.stake, found.fund) if address])
    return StakingTotals(balances.get(found.stake or "", 0), balances.get(found.fund or "", 0))


def _launch_facts(launch: LaunchApplication | None) -> LaunchFacts | None:
    if launch is None or not launch.created_signature:
        return None
    return LaunchFacts(launch.created_signature, launch.supply_fixed_signature, dict(launch.links or {}))


def _holder_labels(launch: LaunchApplication | None) -> dict[str, str]:
    """What each platform-held or team address is, in words: curve vault, pool, escrows, fund, team, treasury."""
    labels = {}
    for address, name in db.session.execute(select(PlatformWallet.address, PlatformWallet.name)).all():
        kind, _, _ = name.rpartition("_")
        labels[address] = WALLET_KINDS.get(kind, name.replace("_", " "))
    for wallet, _ in (launch.team_wallets if launch else []):
        labels.setdefault(str(wallet), "team")
    return labels
