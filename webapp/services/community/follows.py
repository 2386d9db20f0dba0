"""Follows: a member follows other members and tokens; their new things reach the member's feed.

Following is idempotent (one row per pair, a second follow changes nothing,
also when two tabs follow at once) and a member cannot follow themselves.
A member who gains a follower is told once, folded with the others while
unread: "Ana, Bo and 1 other followed you".
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, delete, func, select
from sqlalchemy.dialects.postgresql import insert

from webapp.extensions import BIGINT_MAX, db
from webapp.models import Follow, NotificationKind, Token, User
from webapp.services.community.notifications import notify

LIST_PAGE_SIZE = 30


class FollowError(Exception):
    """A follow that cannot be done; the message says why, status is the HTTP status."""

    def __init__(self, message: str, status: int = 422) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass(frozen=True)
class FollowCounts:
    followers: int
    following: int  # members followed
    tokens: int  # tokens followed


@dataclass(frozen=True)
class FollowedMember:
    member: User
    since: datetime


@dataclass(frozen=True)
class MemberList:
    members: list[FollowedMember]
    next_cursor: int | None  # the follow row id the next page starts below


def member_by_wallet(wallet: str) -> User:
    member = db.session.scalar(select(User).where(User.wallet == wallet))
    if member is None:
        raise FollowError("This wallet is not a Momentum member yet: only members can be followed.", 404)
    return member


def token_by_mint(mint: str) -> Token:
    token = db.session.scalar(select(Token).where(Token.mint == mint))
    if token is None:
        raise FollowError("Momentum does not track this mint.", 404)
    return token


def follow_member(follower: User, wallet: str) -> bool:
    """Follow the member with this wallet; False when already following. Commits."""
    followed = member_by_wallet(wallet)
    if followed.id == follower.id:
        raise FollowError("You cannot follow yourself.")
    inserted = db.session.scalar(
        insert(Follow).values(follower_id=follower.id, followed_user_id=followed.id)
        .on_conflict_do_nothing(index_elements=["follower_id", "followed_user_id"],
                                index_where=Follow.followed_user_id.is_not(None))
        .returning(Follow.id))
    if inserted is not None:
        notify(followed.id, NotificationKind.FOLLOW, f"follow:{followed.id}", "followed you",
               url=f"/u/{followed.wallet}/followers", actor_id=follower.id)
    db.session.commit()
    return inserted is not None


def unfollow_member(follower: User, wallet: str) -> bool:
    """Stop following; False when not following. Commits."""
    followed = member_by_wallet(wallet)
    gone = db.session.execute(delete(Follow).where(
        Follow.follower_id == follower.id, Follow.followed_user_id == followed.id)).rowcount  # type: ignore[attr-defined]
    db.session.commit()
    return bool(gone)


def follow_token(follower: User, mint: str) -> bool:
    """Follow a tracked token; False when already following. Commits."""
    token = token_by_mint(mint)
    inserted = db.session.scalar(
        insert(Follow).values(follower_id=follower.id, token_id=token.id)
        .on_conflict_do_nothing(index_elements=["follower_id", "token_id"], index_where=Follow.token_id.is_not(None))
        .returning(Follow.id))
    db.session.commit()
    return inserted is not None


def unfollow_token(follower: User, mint: str) -> bool:
    token = token_by_mint(mint)
    gone = db.session.execute(delete(Follow).where(
        Follow.follower_id == follower.id, Follow.token_id == token.id)).rowcount  # type: ignore[attr-defined]
    db.session.commit()
    return bool(gone)


def follows_member(follower_id: int, member_id: int) -> bool:
    return db.session.scalar(select(Follow.id).where(
        Follow.follower_id == follower_id, Follow.followed_user_id == member_id)) is not None


def follows_token(follower_id: int, token_id: int) -> bool:
    return db.session.scalar(select(Follow.id).where(
        Follow.follower_id == follower_id, Follow.token_id == token_id)) is not None


def counts(member_id: int) -> FollowCounts:
    followers = db.session.scalar(select(func.count()).select_from(Follow).where(
        Follow.followed_user_id == member_id)) or 0
    following, tokens = db.session.execute(
        select(func.count(Follow.followed_user_id), func.count(Follow.token_id))
        .where(Follow.follower_id == member_id)).one()
    return FollowCounts(followers, int(following or 0), int(tokens or 0))


def followers(member_id: int, before: int | None = None, page_size: int = LIST_PAGE_SIZE) -> MemberList:
    """Who follows the member, newest first, by keyset on the follow's id."""
    query = (select(Follow, User).join(User, User.id == Follow.follower_id)
             .where(Follow.followed_user_id == member_id))
    return _page(query, before, page_size)


def following(member_id: int, before: int | None = None, page_size: int = LIST_PAGE_SIZE) -> MemberList:
    """The members this member follows, newest first."""
    query = (select(Follow, User).join(User, User.id == Follow.followed_user_id)
             .where(Follow.follower_id == member_id))
    return _page(query, before, page_size)


def _page(query: Select[Follow, User], before: int | None, page_size: int) -> MemberList:
    if before is not None:
        query = query.where(Follow.id < min(before, BIGINT_MAX))
    rows = db.session.execute(query.order_by(Follow.id.desc()).limit(page_size + 1)).all()
    more = len(rows) > page_size
    rows = rows[:page_size]
    return MemberList([FollowedMember(user, follow.created_at) for follow, user in rows],
                      rows[-1][0].id if more else None)


def followed_ids(member_id: int) -> tuple[list[int], list[int]]:
    """The ids of the members and of the tokens the member follows."""
    rows = db.session.execute(select(Follow.followed_user_id, Follow.token_id)
                              .where(Follow.follower_id == member_id)).all()
    return ([user for user, _ in rows if user is not None], [token for _, token in rows if token is not None])
