"""The read model of `/notifications`: a member's notifications, newest first, folded repeats in one sentence.

A folded row keeps how many times it happened (`count`) and its newest few
actors (`actor_ids`), so "Ana, Bo and 3 others reacted to your comment"
reads from one row: each name once, the rest counted.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from webapp.extensions import db
from webapp.live.fragments import render_fragment
from webapp.models import Notification, NotificationKind, User
from webapp.services.community import cursors
from webapp.services.community import notifications as notifications_service

PAGE_SIZE = 30
NAMES_SHOWN = 2
# kinds whose text continues the names of who did it ("Ana and Bo" + "reacted to your comment")
ACTOR_KINDS = frozenset({NotificationKind.REPLY, NotificationKind.MENTION, NotificationKind.REACTION,
                         NotificationKind.FOLLOW})
log = logging.getLogger("momentum.community")


class NotificationNotFound(LookupError):
    """Not one of this member's notifications."""


@dataclass(frozen=True)
class NotificationLine:
    id: int
    kind: str
    sentence: str  # "Ana, Bo and 3 others reacted to your comment"
    url: str | None
    at: datetime
    unread: bool
    count: int
    signature: str | None  # a payout's transaction


@dataclass(frozen=True)
class NotificationPage:
    lines: list[NotificationLine]
    unread: int
    next_cursor: str | None
    first_page: bool


def actors_phrase(names: list[str], total: int) -> str:
    """"Ana", "Ana and Bo", "Ana, Bo and 1 other", "Ana, Bo and 3 others"; names are distinct, newest first."""
    shown = names[:NAMES_SHOWN]
    others = max(total - len(shown), 0)
    if not shown:
        return f"{total} members" if total > 1 else "Someone"
    if others == 0:
        return shown[0] if len(shown) == 1 else f"{shown[0]} and {shown[1]}"
    return f"{', '.join(shown)} and {others} other{'s' if others != 1 else ''}"


def sentence(notification: Notification, names: dict[int, str]) -> str:
    """What one row says, its repeats folded."""
    distinct = list(dict.fromkeys(notification.actor_ids or []))
    if not distinct or notification.kind not in ACTOR_KINDS:  # a whole sentence: a payout, a review, a moderation
        return notification.text if notification.count <= 1 else f"{notification.text} ({notification.count} times)"
    repeats = len(notification.actor_ids) - len(distinct)  # the same member twice among the kept actors
    total = max(notification.count - repeats, len(distinct))
    known = [names[actor] for actor in distinct if actor in names]
    return f"{actors_phrase(known, total)} {notification.text}"


def member_names(ids: set[int], session: Session | None = None) -> dict[int, str]:
    if not ids:
        return {}
    return {user.id: user.name for user in (session or db.session).scalars(select(User).where(User.id.in_(ids)))}


def line(notification: Notification, names: dict[int, str]) -> NotificationLine:
    signature = notification.data.get("signature") if notification.data else None
    return NotificationLine(
        id=notification.id, kind=notification.kind, sentence=sentence(notification, names), url=notification.url,
        at=notification.updated_at, unread=notification.read_at is None, count=notification.count,
        signature=str(signature) if signature else None)


def build(user_id: int, cursor_text: str | None = None, page_size: int = PAGE_SIZE) -> NotificationPage:
    """One page of the member's notifications; raises cursors.BadCursor for a cursor this app did not write."""
    cursor = cursors.parse(cursor_text)
    query = select(Notification).where(Notification.user_id == user_id)
    if cursor is not None:
        query = query.where(or_(Notification.updated_at < cursor.at,
                                and_(Notification.updated_at == cursor.at, Notification.id < cursor.id)))
    rows = list(db.session.scalars(
        query.order_by(Notification.updated_at.desc(), Notification.id.desc()).limit(page_size + 1)))
    more = len(rows) > page_size
    rows = rows[:page_size]
    names = member_names({actor for row in rows for actor in row.actor_ids or []})
    last = rows[-1] if rows else None
    next_cursor = cursors.Cursor(last.updated_at, "", last.id).text() if more and last else None
    return NotificationPage([line(row, names) for row in rows], notifications_service.unread_count(user_id),
                            next_cursor, cursor is None)


def _own(user_id: int, notification_id: int) -> Notification:
    row = db.session.scalar(select(Notification).where(Notification.id == notification_id,
                                                        Notification.user_id == user_id))
    if row is None:
        raise NotificationNotFound("No such notification.")
    return row


def one(user_id: int, notification_id: int) -> NotificationLine:
    """One of the member's notifications as its row shows it; NotificationNotFound for anyone else's."""
    row = _own(user_id, notification_id)
    return line(row, member_names(set(row.actor_ids or [])))


def open_target(user_id: int, notification_id: int) -> str:
    """Mark the notification read and return where it points (the notifications page when nowhere)."""
    row = _own(user_id, notification_id)
    if notifications_service.mark_read(user_id, notification_id):
        db.session.commit()
        push_unread(user_id)
    return row.url if row.url and _safe_target(row.url) else "/notifications"


def _safe_target(url: str) -> bool:
    """A path on this site or an https address (an explorer link): never another scheme."""
    return (url.startswith("/") and not url.startswith("//")) or url.startswith("https://")


def push_unread(user_id: int) -> None:
    """After marking read: the member's other tabs get the new bell count (call after the commit)."""
    from webapp.services.community.live_updates import publish_to_member

    publish_to_member(user_id, render_fragment("community/_unread_badge.html",
                                               unread=notifications_service.unread_count(user_id)))
