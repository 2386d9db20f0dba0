"""Notifications: written in the caller's transaction, folded while unread, pushed live after commit."""
from __future__ import annotations

import threading

from sqlalchemy import select

from tests.conftest import get_row
from webapp import live
from webapp.extensions import db
from webapp.models import Notification, NotificationKind, User
from webapp.services.community import notifications


def _members(app, count: int) -> list[int]:
    with app.app_context():
        users = [User(wallet=f"Wallet{index:02d}" + "1" * 30) for index in range(count)]
        db.session.add_all(users)
        db.session.commit()
        return [user.id for user in users]


def test_repeats_fold_into_one_unread_row_with_its_actors(app) -> None:
    owner, *actors = _members(app, 7)
    with app.app_context():
        for actor in actors:
            notifications.notify(owner, NotificationKind.REACTION, "reaction:post:1", "reacted to your comment",
                                 url="/x", actor_id=actor)
        db.session.commit()
        rows = db.session.scalars(select(Notification).where(Notification.user_id == owner)).all()
        assert len(rows) == 1 and rows[0].count == 6
        assert rows[0].actor_ids == list(reversed(actors))[:5]  # newest first, five kept
        assert notifications.unread_count(owner) == 1
        assert notifications.mark_read(owner) == 1 and notifications.unread_count(owner) == 0
        db.session.commit()
        # once read, the next one starts a new row
        notifications.notify(owner, NotificationKind.REACTION, "reaction:post:1", "reacted", actor_id=actors[0])
        db.session.commit()
        assert db.session.scalar(select(Notification.count).where(Notification.read_at.is_(None))) == 1


def test_own_actions_and_rolled_back_ones_notify_nobody(app) -> None:
    owner, other = _members(app, 2)
    with app.app_context():
        assert notifications.notify(owner, NotificationKind.REPLY, "reply:1", "replied", actor_id=owner) is None
        notifications.notify(owner, NotificationKind.REPLY, "reply:1", "replied", actor_id=other)
        db.session.rollback()
        assert notifications.unread_count(owner) == 0
        before = live.latest_cursor(live.user_topic(owner))
        db.session.commit()
        assert live.latest_cursor(live.user_topic(owner)) == before  # nothing pushed for a rolled-back write


def test_a_notification_is_pushed_to_its_member_after_commit(app) -> None:
    owner, other = _members(app, 2)
    with app.app_context():
        topic = live.user_topic(owner)
        start = live.latest_cursor(topic) or "0-0"
        notification_id = notifications.notify(owner, NotificationKind.MENTION, "mention:post:5", "mentioned you",
                                               url="/p/5", actor_id=other)
        assert live.missed(topic, start) == []  # not before the commit
        db.session.commit()
        pushed = live.missed(topic, start)
        assert len(pushed) == 1
        html = pushed[0].html
        assert 'id="nav-notifications"' in html and 'data-testid="unread-count">1<' in html
        actor = get_row(User, other)
        assert f"{actor.name} mentioned you" in html  # the sentence the notifications page shows
        assert f'href="/notifications/{notification_id}/open"' in html  # opening it marks it read


def test_concurrent_notifications_of_one_group_fold_without_errors(app) -> None:
    owner, *actors = _members(app, 9)
    errors: list[Exception] = []

    def react(actor: int) -> None:
        try:
            with app.app_context():
                notifications.notify(owner, NotificationKind.REACTION, "reaction:post:9", "reacted", actor_id=actor)
                db.session.commit()
        except Exception as error:  # noqa: BLE001 - the test reports it below
            errors.append(error)

    threads = [threading.Thread(target=react, args=(actor,)) for actor in actors]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with app.app_context():
        assert db.session.scalar(select(Notification.count).where(Notification.user_id == owner)) == 8
