"""What the community pushes over the live hub: a member's unread count and toast, a discussion's changes."""
from __future__ import annotations

import logging

from sqlalchemy.orm import Session

from webapp import live
from webapp.extensions import db
from webapp.live.fragments import render_fragment
from webapp.models import Notification
from webapp.services.community import notification_page, notifications

log = logging.getLogger("momentum.community")


def notification_arrived(user_id: int, notification_id: int) -> None:
    """Push member `user_id`'s new unread count and the notification's toast (after its commit)."""
    # called from after_commit, where the request's session cannot run SQL: read in a session of its own
    with Session(db.engine) as session:
        notification = session.get(Notification, notification_id)
        if notification is None:
            return
        names = notification_page.member_names(set(notification.actor_ids or []), session)
        html = render_fragment("community/_notification_pushed.html", notification=notification,
                               unread=notifications.unread_count(user_id, session),
                               text=notification_page.sentence(notification, names))
    publish_to_member(user_id, html)


def publish_to_member(user_id: int, html: str) -> None:
    """Send a fragment to the member's open pages; best effort: the database has it and pages show it."""
    try:
        live.publish(live.user_topic(user_id), html)
    except Exception:
        log.exception("could not push to member %s", user_id)
