"""Token challenges: the team sets one with a reward, members enter, reviewers accept or reject.

Who may do what: the token's team (the launch applicant or one of its team
wallets) and admins create challenges; moderators, admins and the team
review entries; any signed-in member who is not suspended enters once per
challenge while it runs. Accepting an entry copies the challenge's reward
onto it as a pending reward (`reward_paid` false): the Momentum engine pays
it later, nothing here moves tokens. Every create and review is audited.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from urllib.parse import urlsplit

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert

from webapp.extensions import BIGINT_MAX, db
from webapp.models import Challenge, ChallengeEntry, EntryStatus, LaunchApplication, NotificationKind, Token, User
from webapp.money import units_text
from webapp.services import audit
from webapp.services.community import markdown, notifications, rights
from webapp.services.payouts.amounts import AmountError, tokens_to_base_units

TITLE_MIN, TITLE_MAX = 3, 150
DESCRIPTION_MAX = 10_000
ENTRY_TEXT_MAX = 5_000
LINK_MAX = 2_048
REASON_MAX = 1_000
ALREADY_REVIEWED = "This entry has already been reviewed; its decision stands."
AMOUNT_TEXT_MAX = 64  # longer than any amount a BIGINT holds, with separators and decimals
DATE_FORMAT = "%Y-%m-%dT%H:%M"  # what <input type="datetime-local"> sends; read as UTC


class ChallengeRefused(Exception):
    """A request the rules refuse, with the HTTP status that says why and a message for the member."""

    def __init__(self, message: str, status: int = 422) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


class InvalidChallenge(ChallengeRefused):
    """A challenge form with problems, each one a sentence for the form."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__(" ".join(problems), 422)
        self.problems = problems


@dataclass(frozen=True)
class ChallengeDraft:
    """A checked challenge form: dates in UTC, rewards in points and token base units."""

    title: str
    description: str
    starts_at: datetime
    ends_at: datetime
    reward_points: int
    reward_token_amount: int


# --- who may do what ---------------------------------------------------------------------------------

def launch_of(token: Token) -> LaunchApplication | None:
    return db.session.scalar(select(LaunchApplication).where(LaunchApplication.mint == token.mint))


def is_team_member(user: User | None, token: Token) -> bool:
    """The applicant who launched the token or a holder of one of its team wallets."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    launch = launch_of(token)
    if launch is None:
        return False
    return launch.applicant_id == user.id or any(str(wallet) == user.wallet for wallet, _ in launch.team_wallets or [])


def can_create(user: User | None, token: Token) -> bool:
    return _signed_in(user) and (user.is_admin or is_team_member(user, token))  # type: ignore[union-attr]


def can_review(user: User | None, token: Token) -> bool:
    return _signed_in(user) and (user.is_moderator or is_team_member(user, token))  # type: ignore[union-attr]


def _signed_in(user: User | None) -> bool:
    return user is not None and bool(getattr(user, "is_authenticated", False))


def ensure_can_create(user: User | None, token: Token) -> User:
    if not _signed_in(user):
        raise ChallengeRefused("Sign in with your wallet to create a challenge.", 401)
    if not can_create(user, token):
        raise ChallengeRefused(f"Only the {token.symbol} team or an admin can create challenges on this token.", 403)
    return _not_suspended(user)


def _not_suspended(user: User | None) -> User:
    try:
        return rights.ensure_can_participate(user)
    except rights.NotAllowed as error:
        raise ChallengeRefused(str(error), 403) from error


# --- reading the form --------------------------------------------------------------------------------

def parse_draft(form: Mapping[str, str], token: Token, now: datetime | None = None) -> ChallengeDraft:
    """The form's text (title, description, starts_at, ends_at, reward_points, reward_tokens) as a draft;
    InvalidChallenge lists every problem at once."""
    now = now or datetime.now(UTC)
    problems: list[str] = []
    title = " ".join(form.get("title", "").split())
    if not TITLE_MIN <= len(title) <= TITLE_MAX:
        problems.append(f"The title takes {TITLE_MIN} to {TITLE_MAX} characters (it has {len(title)}).")
    description = form.get("description", "").strip()
    if len(description) > DESCRIPTION_MAX:
        problems.append(f"The description takes at most {DESCRIPTION_MAX:,} characters (it has {len(description):,}).")
    start = _utc_moment(form.get("starts_at", ""), "start", problems)
    end = _utc_moment(form.get("ends_at", ""), "end", problems)
    if start and end and end <= start:
        problems.append("The end must come after the start.")
    if end and end <= now:
        problems.append("The end must be in the future.")
    points = _points(form.get("reward_points", ""), problems)
    units = _token_units(form.get("reward_tokens", ""), token, problems)
    if problems:
        raise InvalidChallenge(problems)
    assert start is not None and end is not None
    return ChallengeDraft(title, description, start, end, points, units)


def _utc_moment(text: str, which: str, problems: list[str]) -> datetime | None:
    try:
        return datetime.strptime((text or "").strip(), DATE_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        problems.append(f"Give the {which} as a date and time in UTC, like 2026-12-24T18:00.")
        return None


def _points(text: str, problems: list[str]) -> int:
    cleaned = (text or "").strip().replace(",", "") or "0"
    if not cleaned.isdigit() or not cleaned.isascii():
        problems.append("The reward in points is a whole number, 0 or more.")
        return 0
    if len(cleaned) > len(str(BIGINT_MAX)) or int(cleaned) > BIGINT_MAX:
        problems.append("The reward in points is too large.")
        return 0
    return int(cleaned)


def _token_units(text: str, token: Token, problems: list[str]) -> int:
    """Tokens typed as "1,000.5" → base units with the mint's decimals, exactly; 0 when left empty."""
    cleaned = (text or "").strip()
    if len(cleaned) > AMOUNT_TEXT_MAX:
        problems.append(f"Reward in {token.symbol}: the amount is too large.")
        return 0
    try:
        if not cleaned or Decimal(cleaned.replace(",", "")) == 0:
            return 0
    except InvalidOperation:
        pass  # tokens_to_base_units says what is wrong with it
    try:
        units = tokens_to_base_units(cleaned, token.decimals)
    except AmountError as error:
        problems.append(f"Reward in {token.symbol}: {error}")
        return 0
    if units > BIGINT_MAX:
        problems.append(f"Reward in {token.symbol}: the amount is too large.")
        return 0
    return units


# --- creating, entering, reviewing ------------------------------------------------------------------

def create(actor: User | None, token: Token, draft: ChallengeDraft, ip_address: str | None = None) -> Challenge:
    """Save the challenge and its audit entry in one commit."""
    creator = ensure_can_create(actor, token)
    challenge = Challenge(
        token_id=token.id, created_by_id=creator.id, title=draft.title, description=draft.description,
        description_html=markdown.render(draft.description).html, starts_at=draft.starts_at, ends_at=draft.ends_at,
        reward_points=draft.reward_points, reward_token_amount=draft.reward_token_amount,
    )
    db.session.add(challenge)
    db.session.flush()
    audit.record(creator, "challenge.create", target_type="challenge", target_id=challenge.id, ip_address=ip_address,
                 details={"token": token.mint, "title": draft.title, "starts_at": draft.starts_at.isoformat(),
                          "ends_at": draft.ends_at.isoformat(), "reward_points": draft.reward_points,
                          "reward_token_amount": str(draft.reward_token_amount)})
    db.session.commit()
    return challenge


def clean_link(text: str) -> str | None:
    """An http(s) link as typed, or None when empty; ChallengeRefused for anything else."""
    link = (text or "").strip()
    if not link:
        return None
    if len(link) > LINK_MAX:
        raise ChallengeRefused(f"The link takes at most {LINK_MAX:,} characters.")
    parts = urlsplit(link)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc or any(c.isspace() for c in link):
        raise ChallengeRefused("The link must be a web address starting with http:// or https://.")
    return link


def submit_entry(member: User | None, challenge: Challenge, text: str, link: str,
                 now: datetime | None = None) -> ChallengeEntry:
    """The member's one entry, while the challenge runs; a second (even at the same instant) is refused."""
    try:
        entrant = rights.ensure_can_participate(member, now)
    except rights.NotAllowed as error:
        raise ChallengeRefused(str(error), 401 if not _signed_in(member) else 403) from error
    now = now or datetime.now(UTC)
    if now < challenge.starts_at:
        raise ChallengeRefused(f"This challenge opens for entries on {moment_text(challenge.starts_at)}.", 409)
    if now >= challenge.ends_at:
        raise ChallengeRefused(f"This challenge ended on {moment_text(challenge.ends_at)}; entries are closed.", 409)
    body = (text or "").strip()
    if len(body) > ENTRY_TEXT_MAX:
        raise ChallengeRefused(f"An entry's text takes at most {ENTRY_TEXT_MAX:,} characters (it has {len(body):,}).")
    url = clean_link(link)
    if not body and url is None:
        raise ChallengeRefused("Write something or give a link: an entry needs at least one.")
    entry_id = db.session.scalar(
        insert(ChallengeEntry).values(challenge_id=challenge.id, user_id=entrant.id, text=body, link=url,
                                      created_at=now)
        .on_conflict_do_nothing(constraint="one_entry_per_member").returning(ChallengeEntry.id))
    if entry_id is None:
        db.session.rollback()
        raise ChallengeRefused("You have already entered this challenge: one entry per member.", 409)
    db.session.commit()
    return db.session.get(ChallengeEntry, entry_id)  # type: ignore[return-value]


def review_entry(reviewer: User | None, entry: ChallengeEntry, decision: str, reason: str,
                 ip_address: str | None = None, now: datetime | None = None) -> ChallengeEntry:
    """Accept (recording the pending reward) or reject with a reason; once only, audited, the entrant told."""
    challenge = entry.challenge
    token = challenge.token
    if not _signed_in(reviewer):
        raise ChallengeRefused("Sign in with your wallet to review entries.", 401)
    assert reviewer is not None
    if not can_review(reviewer, token):
        raise ChallengeRefused("Only moderators, admins and the token's team review challenge entries.", 403)
    _not_suspended(reviewer)
    if entry.user_id == reviewer.id:
        raise ChallengeRefused("You cannot review your own entry; another reviewer decides it.", 403)
    if entry.status != EntryStatus.PENDING.value:
        raise ChallengeRefused(ALREADY_REVIEWED, 409)
    if decision not in ("accept", "reject"):
        raise ChallengeRefused("Choose accept or reject.")
    accept = decision == "accept"
    reason = (reason or "").strip()
    if not accept and not reason:
        raise ChallengeRefused("Say why the entry is rejected: the entrant sees your reason.")
    if len(reason) > REASON_MAX:
        raise ChallengeRefused(f"The reason takes at most {REASON_MAX:,} characters.")
    status = EntryStatus.ACCEPTED if accept else EntryStatus.REJECTED
    points, units = (challenge.reward_points, challenge.reward_token_amount) if accept else (0, 0)
    decided = db.session.execute(
        update(ChallengeEntry)
        .where(ChallengeEntry.id == entry.id, ChallengeEntry.status == EntryStatus.PENDING.value)
        .values(status=status.value, review_reason=reason or None, reviewed_by_id=reviewer.id,
                reviewed_at=now or datetime.now(UTC), reward_points=points, reward_token_amount=units)
        .returning(ChallengeEntry.id)).scalar()
    if decided is None:
        db.session.rollback()
        raise ChallengeRefused(ALREADY_REVIEWED, 409)
    audit.record(reviewer, f"challenge.entry.{'accept' if accept else 'reject'}", target_type="challenge_entry",
                 target_id=entry.id, ip_address=ip_address,
                 details={"challenge": challenge.id, "entrant": entry.user_id, "reason": reason,
                          "reward_points": points, "reward_token_amount": str(units)})
    notifications.notify(entry.user_id, NotificationKind.CHALLENGE, f"challenge-entry:{entry.id}",
                         decision_text(challenge, accept, reason), url=challenge_path(challenge),
                         actor_id=reviewer.id, data={"challenge_id": challenge.id, "entry_id": entry.id})
    db.session.commit()
    db.session.refresh(entry)
    return entry


def decision_text(challenge: Challenge, accept: bool, reason: str) -> str:
    if accept:
        reward = reward_text(challenge.reward_points, challenge.reward_token_amount, challenge.token)
        pending = f": {reward} pending" if reward else ""
        return f"Your entry in {challenge.title} was accepted{pending}."
    return f"Your entry in {challenge.title} was rejected: {reason}"


def challenge_path(challenge: Challenge) -> str:
    return f"/tokens/{challenge.token.mint}/challenges/{challenge.id}"


# --- words ------------------------------------------------------------------------------------------

def reward_text(points: int, token_units: int, token: Token) -> str:
    """"500 points and 1,000.5 TKN", exact; empty when there is no reward."""
    parts = []
    if points:
        parts.append(f"{points:,} point{'s' if points != 1 else ''}")
    if token_units:
        parts.append(f"{units_text(token_units, token.decimals)} {token.symbol}")
    return " and ".join(parts)


def moment_text(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%d %b %Y %H:%M UTC")


def state_of(challenge: Challenge, now: datetime) -> str:
    if now < challenge.starts_at:
        return "upcoming"
    return "running" if now < challenge.ends_at else "ended"


def time_left_text(challenge: Challenge, now: datetime) -> str:
    """"3d 4h left", "starts in 2h 5m", "ended 12 Dec 2026 18:00 UTC"."""
    state = state_of(challenge, now)
    if state == "ended":
        return f"ended {moment_text(challenge.ends_at)}"
    target = challenge.starts_at if state == "upcoming" else challenge.ends_at
    span = _span_text(int((target - now).total_seconds()))
    return f"starts in {span}" if state == "upcoming" else f"{span} left"


def _span_text(seconds: int) -> str:
    days, rest = divmod(max(seconds, 0), 86_400)
    hours, rest = divmod(rest, 3_600)
    minutes = max(rest // 60, 0 if (days or hours) else 1)
    if days:
        return f"{days}d {hours}h"
    return f"{hours}h {minutes}m" if hours else f"{minutes}m"
