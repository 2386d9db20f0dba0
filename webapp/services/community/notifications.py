"""Notifications: one row per thing a member should know, repeats folded into one row while unread.

`notify` writes in the caller's transaction; when that transaction commits,
each member notified gets their new unread count and a toast over the live
hub (`user:<id>`). While a notification is unread, another of the same
`group_key` ("reaction:post:12") adds to its count and its actors instead of
adding a row, so five reactions read "5 members reacted to your comment".
"""
from __future__ import annotations

import logging
from datetime import UTC, datetime

from sqlalchemy import cast, event, func, select, update
from sqlalchemy.dialects.postgresql import JSONPATH, insert
from sqlalchemy.orm import Session

from webapp.extensions import db
from webapp.models import Notification, NotificationKind

log = logging.getLogger("momentum.notifications")
ACTORS_KEPT = 5
_PENDING = "momentum_notified_users"  # Session.info key: member id -> last notification id, sent after commit


def notify(user_id: int, kind: NotificationKind, group_key: str, text: str, *, url: str | None = None,
           actor_id: int | None = None, data: dict[str, object] | None = None) -> int | None:
    """Tell member `user_id` about something (not their own doing); returns the notification's id."""
    if actor_id is not None and actor_id == user_id:
        return None
    now = datetime.now(UTC)
    actors = [actor_id] if actor_id is not None else []
    statement = insert(Notification).values(
        user_id=user_id, kind=kind.value, group_key=group_key[:120], count=1, actor_ids=actors, text=text, url=url,
        data=data or {}, created_at=now, updated_at=now,
    )
    existing_actors = Notification.__table__.c.actor_ids
    upsert = statement.on_conflict_do_update(
        index_elements=["user_id", "group_key"], index_where=Notification.read_at.is_(None),
        set_={
            "count": Notification.__table__.c.count + 1,
            # the newest actor first, a few kept for "Ana, Bo and 3 others" (pages show each name once)
            "actor_ids": func.jsonb_path_query_array(
                statement.excluded.actor_ids.op("||")(existing_actors), cast(f"$[0 to {ACTORS_KEPT - 1}]", JSONPATH))
            if actor_id is not None else existing_actors,
            "text": statement.excluded.text, "url": statement.excluded.url, "data": statement.excluded.data,
            "updated_at": now,
        },
    ).returning(Notification.id)
    notification_id = db.session.execute(upsert).scalar_one()
    db.session.info.setdefault(_PENDING, {})[user_id] = notification_id
    return notification_id


def unread_count(user_id: int, session: Session | None = None) -> int:
    """Unread notifications, a folded group counting once (read in `session`, the request's by default)."""
    return (session or db.session).scalar(select(func.count()).select_from(Notification).where(
        Notification.user_id == user_id, Notification.read_at.is_(None))) or 0


def mark_read(user_id: int, notification_id: int | None = None) -> int:
    """Mark one of the member's notifications (or all) read; returns how many changed."""
    statement = update(Notification).where(Notification.user_id == user_id, Notification.read_at.is_(None))
    if notification_id is not None:
        statement = statement.where(Notification.id == notification_id)
    changed = db.session.execute(statement.values(read_at=datetime.now(UTC))).rowcount  # type: ignore[attr-defined]
    return int(changed or 0)


@event.listens_for(Session, "after_commit")
def _deliver_after_commit(session: Session) -> None:
    pending: dict[int, int] | None = session.info.pop(_PENDING, None)
    if pending:
        from webapp.services.community import live_updates

        for user_id, notification_id in pending.items():
            live_updates.notification_arrived(user_id, notification_id)


@event.listens_for(Session, "after_rollback")
def _forget_after_rollback(session: Session) -> None:
    session.info.pop(_PENDING, None)
