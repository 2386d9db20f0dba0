"""The read model of the home page: today's launches, recent trades and other token activity.

"Today" is the UTC calendar day: the server renders one page for visitors in
every timezone, so the page says "since 00:00 UTC" and counts from an aware
UTC midnight, whatever the server's own timezone or the `now` it is given.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time

from sqlalchemy import select

from webapp.extensions import db
from webapp.live.fragments import transaction_view
from webapp.models import LaunchApplication, LaunchStatus, Token, TransactionEvent

# What the home page calls a trade; everything else it shows is listed as token activity with its label.
TRADE_LABELS = frozenset({"buy", "sell", "swap"})
ACTIVITY_LABELS = frozenset({"create", "mint", "burn", "transfer", "stake", "unstake", "payout"})
FEED_LENGTH = 10


@dataclass(frozen=True)
class Launch:
    mint: str
    name: str
    symbol: str
    creator: str
    tier: int  # 1 Wild Fires, 2 Stable Grounds (as live/_token_created.html draws it)
    created_at: datetime


@dataclass(frozen=True)
class HomePage:
    day_start: datetime
    launches_today: list[Launch]
    trades: list[dict[str, object]]  # rows for live/_transaction_row.html
    activity: list[dict[str, object]]


def day_start(now: datetime) -> datetime:
    """UTC midnight of the UTC day `now` falls in (a naive `now` is taken as UTC)."""
    moment = now.astimezone(UTC) if now.tzinfo else now.replace(tzinfo=UTC)
    return datetime.combine(moment.date(), time(0), tzinfo=UTC)


def launches_since(start: datetime) -> list[Launch]:
    """Tokens launched on Momentum since `start`, newest first."""
    rows = db.session.scalars(
        select(LaunchApplication)
        .where(LaunchApplication.status == LaunchStatus.LAUNCHED.value, LaunchApplication.mint.is_not(None),
               LaunchApplication.launched_at >= start)
        .order_by(LaunchApplication.launched_at.desc()))
    return [Launch(str(a.mint), a.name, a.symbol, a.applicant.wallet, 1 if a.tier == "wild_fires" else 2,
                   a.launched_at or start) for a in rows]


def recent_events(labels: frozenset[str], limit: int = FEED_LENGTH) -> list[dict[str, object]]:
    """The newest indexed events with these labels on tracked tokens, as feed rows."""
    rows = db.session.execute(
        select(TransactionEvent, Token.decimals, Token.symbol)
        .join(Token, Token.mint == TransactionEvent.mint)
        .where(TransactionEvent.label.in_(labels), TransactionEvent.wallet.is_not(None))
        .order_by(TransactionEvent.slot.desc(), TransactionEvent.signature.desc(), TransactionEvent.position)
        .limit(limit)).all()
    return [transaction_view(
        signature=event.signature, label=event.label, wallet=str(event.wallet), token_amount=int(event.token_amount),
        decimals=decimals, sol_amount=int(event.sol_amount), symbol=symbol, block_time=event.block_time)
        for event, decimals, symbol in rows]


def build(now: datetime | None = None) -> HomePage:
    start = day_start(now or datetime.now(UTC))
    return HomePage(start, launches_since(start), recent_events(TRADE_LABELS), recent_events(ACTIVITY_LABELS))
