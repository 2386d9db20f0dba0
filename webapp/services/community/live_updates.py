"""What the community pushes over the live hub: a member's unread count and toast, a discussion's changes."""
from __future__ import annotations

import logging

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from webapp import live
from webapp.extensions import db
from webapp.live.fragments import render_fragment
from webapp.models import Notification, User
from webapp.services.community import notification_page

log = logging.getLogger("momentum.community")


def notification_arrived(user_id: int, notification_id: int) -> None:
    """Push member `user_id`'s new unread count and the notification's toast (after its commit)."""
    # called from after_commit, where the request's session cannot run SQL: read in a session of its own
    with Session(db.engine) as session:
        notification = session.get(Notification, notification_id)
        unread = session.scalar(select(func.count()).select_from(Notification).where(
            Notification.user_id == user_id, Notification.read_at.is_(None))) or 0
        if notification is None:
            return
        names = {user.id: user.name for user in session.scalars(
            select(User).where(User.id.in_(notification.actor_ids or [])))}
        html = render_fragment("community/_notification_pushed.html", notification=notification, unread=unread,
                               text=notification_page.sentence(notification, names))
    try:
        live.publish(live.user_topic(user_id), html)
    except Exception:  # the hub is best effort: the row is in the database and the page shows it
        log.exception("could not push notification %s", notification_id)
