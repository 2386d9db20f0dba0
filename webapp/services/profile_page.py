"""The read model of `/u/<wallet>`: any valid wallet, member or not, from what is indexed.

A wallet has a page before it signs in: the home page and token pages link
every wallet they show, and its on-chain activity on tracked tokens is
already in the index. Amounts leave here as text for people (SOL, token units
with the mint's decimals and symbol), never as base units.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from solders.pubkey import Pubkey
from sqlalchemy import func, select

from webapp.extensions import db
from webapp.models import (
    Discussion,
    HolderAccount,
    Payout,
    PayoutReason,
    PayoutStatus,
    Post,
    PostState,
    Token,
    TransactionEvent,
    User,
)
from webapp.money import short_address, sol_text, token_text
from webapp.services.payouts.gateway import NATIVE_SOL

ACTIVITY_LIMIT = 20
PAYOUT_LIMIT = 20
RECENT_POSTS = 10

PAYOUT_LABELS = {
    PayoutReason.POOL.value: "Reward pool",
    PayoutReason.BOUNTY.value: "Bounty reward",
    PayoutReason.EARNINGS.value: "Staking earnings",
    PayoutReason.VESTING.value: "Vested tokens",
    PayoutReason.MANUAL.value: "Sent by the team",
    PayoutReason.REFUND.value: "Refund",
    PayoutReason.UNSTAKE.value: "Unstaked",
}
PAYOUT_STATUS_LABELS = {
    PayoutStatus.PENDING.value: "pending",
    PayoutStatus.IN_FLIGHT.value: "sending",
    PayoutStatus.CONFIRMED.value: "confirmed",
    PayoutStatus.FAILED.value: "failed",
}
# What the wallet did, from the classifier's label (webapp.chain.classify).
EVENT_LABELS = {
    "create": "Created a token", "mint": "Received minted", "buy": "Bought", "sell": "Sold", "swap": "Swapped",
    "burn": "Burned", "transfer": "Sent", "liquidity_add": "Added liquidity", "liquidity_remove": "Removed liquidity",
    "stake": "Staked", "unstake": "Unstaked", "payout": "Received a payout", "failed": "Failed transaction",
    "other": "Other",
}


class InvalidWallet(ValueError):
    """Text that is not a Solana address; the message says so."""


@dataclass(frozen=True)
class TokenRef:
    mint: str
    symbol: str  # the token's label: symbol, else name, else a short mint
    name: str
    decimals: int | None  # None: a mint Momentum does not track, so its decimals are unknown here


# SOL paid out (the native mint): linked to the explorer, like a token Momentum does not track.
SOL = TokenRef(NATIVE_SOL, "SOL", "Solana", None)


@dataclass(frozen=True)
class Holding:
    token: TokenRef
    amount: str


@dataclass(frozen=True)
class ActivityLine:
    signature: str
    label: str
    kind: str  # the classifier's label, for styling
    at: datetime | None
    token: TokenRef | None
    amount: str | None  # tokens moved, e.g. "1,250.5"
    sol: str | None  # SOL paid or received, e.g. "0.25"
    gave: str | None  # a swap's other side, e.g. "12 MOMO"


@dataclass(frozen=True)
class PayoutLine:
    label: str
    at: datetime
    token: TokenRef
    amount: str | None  # None when the mint is not tracked (its decimals are unknown)
    status: str
    status_label: str
    signature: str | None  # shown once the payout is confirmed


@dataclass(frozen=True)
class RecentPost:
    discussion_title: str
    url: str
    excerpt: str  # plain text
    at: datetime
    opening: bool  # the discussion's opening post, not a comment


@dataclass(frozen=True)
class Community:
    """A member's side of the community: who follows whom, what they wrote."""

    followers: int
    following: int
    tokens_followed: int
    recent_posts: list[RecentPost]
    viewer_follows: bool  # the signed-in visitor follows this member
    viewer_is_member: bool  # the signed-in visitor is this member


@dataclass(frozen=True)
class ProfilePage:
    wallet: str
    member: User | None  # None: the wallet never signed in
    holdings: list[Holding]
    activity: list[ActivityLine]
    payouts: list[PayoutLine]
    community: Community | None = None  # members only

    @property
    def title(self) -> str:
        return self.member.name if self.member else short_address(self.wallet)


def parse_wallet(text: str) -> str:
    """The canonical base58 form of a 32-byte public key, or InvalidWallet."""
    try:
        return str(Pubkey.from_string(text))
    except ValueError:
        raise InvalidWallet(f"{text[:60]!r} is not a Solana wallet address (base58, 32 bytes).") from None


def build(wallet: str, viewer: User | None = None) -> ProfilePage:
    """Everything `/u/<wallet>` shows `viewer`; raises InvalidWallet for text that is not an address."""
    wallet = parse_wallet(wallet)
    member = db.session.scalar(select(User).where(User.wallet == wallet))
    return ProfilePage(wallet, member, holdings(wallet), activity(wallet), payouts(wallet),
                       community(member, viewer) if member else None)


def community(member: User, viewer: User | None) -> Community:
    from webapp.services.community import follows

    counted = follows.counts(member.id)
    viewer_follows = viewer is not None and viewer.id != member.id and follows.follows_member(viewer.id, member.id)
    return Community(counted.followers, counted.following, counted.tokens, recent_posts(member.id),
                     viewer_follows, viewer is not None and viewer.id == member.id)


def recent_posts(member_id: int, limit: int = RECENT_POSTS) -> list[RecentPost]:
    """The member's newest visible discussions and comments."""
    from webapp.services.community.discussion_live import post_url
    from webapp.services.community.feed import excerpt

    rows = db.session.execute(
        select(Post, Discussion).join(Discussion, Discussion.id == Post.discussion_id)
        .where(Post.author_id == member_id, Post.state == PostState.VISIBLE.value)
        .order_by(Post.created_at.desc(), Post.id.desc()).limit(limit)).all()
    return [RecentPost(discussion.title, post_url(discussion, post), excerpt(post.body), post.created_at,
                       post.depth == 0) for post, discussion in rows]


def _tokens(mints: set[str]) -> dict[str, TokenRef]:
    if not mints:
        return {}
    found = db.session.scalars(select(Token).where(Token.mint.in_(mints)))
    return {t.mint: TokenRef(t.mint, t.label, t.name, t.decimals) for t in found}


def _token(tokens: dict[str, TokenRef], mint: str) -> TokenRef:
    return tokens.get(mint) or TokenRef(mint, short_address(mint), "", None)


def _amount(amount: int, token: TokenRef) -> str | None:
    return None if token.decimals is None else token_text(int(amount), token.decimals)


def holdings(wallet: str) -> list[Holding]:
    """Indexed balances of tracked tokens the wallet owns, by token symbol."""
    total = func.sum(HolderAccount.amount)
    rows = db.session.execute(
        select(HolderAccount.mint, total).where(HolderAccount.owner == wallet)
        .group_by(HolderAccount.mint).having(total > 0)).all()
    tokens = _tokens({mint for mint, _ in rows})
    held = [Holding(tokens[mint], token_text(int(amount), tokens[mint].decimals or 0))
            for mint, amount in rows if mint in tokens]
    return sorted(held, key=lambda h: (h.token.symbol.casefold(), h.token.mint))


def activity(wallet: str, limit: int = ACTIVITY_LIMIT) -> list[ActivityLine]:
    """The wallet's newest indexed events, where it is the acting wallet."""
    events = list(db.session.scalars(
        select(TransactionEvent).where(TransactionEvent.wallet == wallet)
        .order_by(TransactionEvent.slot.desc(), TransactionEvent.signature.desc(), TransactionEvent.position)
        .limit(limit)))
    tokens = _tokens({m for e in events for m in (e.mint, e.other_mint) if m})
    lines = []
    for event in events:
        token = _token(tokens, event.mint) if event.mint else None
        gave = None
        if event.other_mint and event.other_amount:
            other = _token(tokens, event.other_mint)
            given = _amount(event.other_amount, other)
            gave = f"{given} {other.symbol}" if given else other.symbol
        lines.append(ActivityLine(
            signature=event.signature, label=EVENT_LABELS.get(event.label, event.label.capitalize()),
            kind=event.label, at=event.block_time, token=token,
            amount=_amount(event.token_amount, token) if token and event.token_amount else None,
            sol=sol_text(int(event.sol_amount)) if event.sol_amount else None, gave=gave))
    return lines


def payouts(wallet: str, limit: int = PAYOUT_LIMIT) -> list[PayoutLine]:
    """Payouts to the wallet, newest first, labelled by why they were paid."""
    rows = list(db.session.scalars(
        select(Payout).where(Payout.recipient == wallet).order_by(Payout.id.desc()).limit(limit)))
    tokens = _tokens({p.mint for p in rows})
    lines = []
    for payout in rows:
        token = SOL if payout.mint == NATIVE_SOL else _token(tokens, payout.mint)
        # A row keeps its mint's decimals, so an untracked token's amount still reads in token units.
        decimals = token.decimals if token.decimals is not None else payout.decimals
        amount = None if decimals is None else token_text(int(payout.amount), decimals)
        lines.append(PayoutLine(
            label=PAYOUT_LABELS.get(payout.reason, payout.reason.capitalize()),
            at=payout.confirmed_at or payout.created_at, token=token, amount=amount,
            status=payout.status, status_label=PAYOUT_STATUS_LABELS.get(payout.status, payout.status),
            signature=payout.signature if payout.status == PayoutStatus.CONFIRMED.value else None))
    return lines
