"""Read models of the challenge pages and of the token page's challenges panel.

The list and the panel hold nothing of the visitor's (the panel is part of
the token page every signed-out visitor shares). The challenge page adds the
visitor's own entry and, for reviewers, the entries waiting for a decision.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Select, func, select

from webapp.extensions import db
from webapp.models import Challenge, ChallengeEntry, EntryStatus, Token, User
from webapp.services.community import challenges

PANEL_LIMIT = 5
LIST_LIMIT = 100  # per section; a token with more ended challenges than this shows the latest


class ChallengeNotFound(LookupError):
    """No such token, or no such challenge on it."""


@dataclass(frozen=True)
class ChallengeSummary:
    """One challenge as a line in a list: what, when, and the reward in words."""

    id: int
    title: str
    state: str  # upcoming, running, ended
    starts_at: datetime
    ends_at: datetime
    reward: str  # "500 points and 1,000 TKN", or "" for none
    accepted_entries: int


@dataclass(frozen=True)
class ChallengeList:
    token: Token
    running: tuple[ChallengeSummary, ...]
    upcoming: tuple[ChallengeSummary, ...]
    ended: tuple[ChallengeSummary, ...]
    can_create: bool


@dataclass(frozen=True)
class EntryView:
    entry: ChallengeEntry
    entrant: User
    reward: str  # the reward recorded on acceptance, in words


@dataclass(frozen=True)
class ChallengePage:
    token: Token
    challenge: Challenge
    state: str
    time_left: str
    reward: str
    accepted: tuple[EntryView, ...]
    pending: tuple[EntryView, ...]  # reviewers only; empty for everyone else
    own_entry: EntryView | None
    can_enter: bool  # signed in, not suspended, no entry yet, challenge running
    can_review: bool
    can_create: bool
    viewer_signed_in: bool


def token_or_404(mint: str) -> Token:
    token = db.session.scalar(select(Token).where(Token.mint == mint))
    if token is None:
        raise ChallengeNotFound("Momentum does not track this mint.")
    return token


def challenge_on(token: Token, challenge_id: int) -> Challenge:
    challenge = db.session.get(Challenge, challenge_id)
    if challenge is None or challenge.token_id != token.id:
        raise ChallengeNotFound(f"{token.symbol} has no challenge {challenge_id}.")
    return challenge


def entry_in(challenge: Challenge, entry_id: int) -> ChallengeEntry:
    entry = db.session.get(ChallengeEntry, entry_id)
    if entry is None or entry.challenge_id != challenge.id:
        raise ChallengeNotFound(f"This challenge has no entry {entry_id}.")
    return entry


def build_list(mint: str, viewer: User | None, now: datetime | None = None) -> ChallengeList:
    """The token's challenges: running (ending soonest first), upcoming (soonest first), ended (latest first)."""
    token = token_or_404(mint)
    now = now or datetime.now(UTC)
    base = select(Challenge).where(Challenge.token_id == token.id)
    running = base.where(Challenge.starts_at <= now, Challenge.ends_at > now).order_by(Challenge.ends_at)
    upcoming = base.where(Challenge.starts_at > now).order_by(Challenge.starts_at)
    ended = base.where(Challenge.ends_at <= now).order_by(Challenge.ends_at.desc())
    return ChallengeList(token, _summaries(running, token, now), _summaries(upcoming, token, now),
                         _summaries(ended, token, now), challenges.can_create(viewer, token))


def token_panel(token: Token, now: datetime | None = None) -> tuple[ChallengeSummary, ...]:
    """Running challenges, then upcoming ones, a few of them: the same for every visitor."""
    now = now or datetime.now(UTC)
    query = (select(Challenge).where(Challenge.token_id == token.id, Challenge.ends_at > now)
             .order_by((Challenge.starts_at > now), Challenge.ends_at, Challenge.id).limit(PANEL_LIMIT))
    return _summaries(query, token, now, limit=PANEL_LIMIT)


def build(mint: str, challenge_id: int, viewer: User | None, now: datetime | None = None) -> ChallengePage:
    """One challenge as `viewer` sees it."""
    token = token_or_404(mint)
    challenge = challenge_on(token, challenge_id)
    now = now or datetime.now(UTC)
    signed_in = viewer is not None and bool(getattr(viewer, "is_authenticated", False))
    reviewer = challenges.can_review(viewer, token)
    entries = select(ChallengeEntry).where(ChallengeEntry.challenge_id == challenge.id).order_by(ChallengeEntry.id)
    accepted = _views(entries.where(ChallengeEntry.status == EntryStatus.ACCEPTED.value), token)
    pending = _views(entries.where(ChallengeEntry.status == EntryStatus.PENDING.value), token) if reviewer else ()
    own = _views(entries.where(ChallengeEntry.user_id == viewer.id), token) if signed_in and viewer else ()
    state = challenges.state_of(challenge, now)
    may_participate = signed_in and viewer is not None and not viewer.is_suspended(now)
    return ChallengePage(
        token=token, challenge=challenge, state=state, time_left=challenges.time_left_text(challenge, now),
        reward=challenges.reward_text(challenge.reward_points, challenge.reward_token_amount, token),
        accepted=accepted, pending=pending, own_entry=own[0] if own else None,
        can_enter=may_participate and not own and state == "running", can_review=reviewer,
        can_create=challenges.can_create(viewer, token), viewer_signed_in=signed_in,
    )


def entry_view(entry: ChallengeEntry) -> EntryView:
    token = entry.challenge.token
    return EntryView(entry, entry.user, challenges.reward_text(entry.reward_points, entry.reward_token_amount, token))


def _views(query: Select[ChallengeEntry], token: Token) -> tuple[EntryView, ...]:
    return tuple(EntryView(entry, entry.user, challenges.reward_text(entry.reward_points, entry.reward_token_amount,
                                                                        token))
                 for entry in db.session.scalars(query).unique())


def _summaries(query: Select[Challenge], token: Token, now: datetime,
               limit: int = LIST_LIMIT) -> tuple[ChallengeSummary, ...]:
    found = list(db.session.scalars(query.limit(limit)).unique())
    counts = _accepted_counts([challenge.id for challenge in found])
    return tuple(ChallengeSummary(
        id=challenge.id, title=challenge.title, state=challenges.state_of(challenge, now),
        starts_at=challenge.starts_at, ends_at=challenge.ends_at,
        reward=challenges.reward_text(challenge.reward_points, challenge.reward_token_amount, token),
        accepted_entries=counts.get(challenge.id, 0),
    ) for challenge in found)


def _accepted_counts(challenge_ids: list[int]) -> dict[int, int]:
    if not challenge_ids:
        return {}
    rows = db.session.execute(
        select(ChallengeEntry.challenge_id, func.count())
        .where(ChallengeEntry.challenge_id.in_(challenge_ids), ChallengeEntry.status == EntryStatus.ACCEPTED.value)
        .group_by(ChallengeEntry.challenge_id)).all()
    return {challenge_id: count for challenge_id, count in rows}
