"""Reactions: one per member and kind, counts kept on the post and the discussion's score, folded
notifications, live counts, and no double count from two tabs at once."""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import select

from tests.conftest import get_row
from tests.integration.community.discussion_support import build_tree, make_token, member_id, post, start_discussion
from webapp import live
from webapp.extensions import db
from webapp.live.topics import discussion_topic
from webapp.models import Discussion, Notification, Post, Reaction, User
from webapp.services.community import reactions


def _react_url(location: str, post_id: int) -> str:
    return f"{location}/posts/{post_id}/reactions"


def _opening(app) -> Post:
    with app.app_context():
        found = db.session.scalars(select(Post).where(Post.depth == 0)).one()
        db.session.expunge(found)
        return found


def test_reacting_turns_on_and_off_and_counts_follow(app, client, auth) -> None:
    mint = make_token(app)
    author = auth.sign_in()
    location = start_discussion(client, mint)
    opening = _opening(app)
    reactor = auth.sign_in()
    for kind in ("fire", "rocket"):
        reply = post(client, _react_url(location, opening.id), {"kind": kind, "on": "1"}, htmx=True)
        assert reply.status_code == 200
    html = reply.get_data(as_text=True)
    assert f'id="reactions-{opening.id}"' in html and 'aria-pressed="true"' in html
    assert post(client, _react_url(location, opening.id), {"kind": "fire", "on": "1"}).status_code == 302  # again
    with app.app_context():
        found = get_row(Post, opening.id)
        assert found.reaction_counts == {"fire": 1, "rocket": 1} == reactions.counted(opening.id)
        assert db.session.scalar(select(Discussion.score)) == 2
        [note] = db.session.scalars(select(Notification).where(Notification.user_id == member_id(app, author))).all()
        assert note.kind == "reaction" and note.group_key == f"reaction:post:{opening.id}" and note.count == 2
        assert note.actor_ids == [member_id(app, reactor)] * 2
    post(client, _react_url(location, opening.id), {"kind": "fire", "on": "0"}, htmx=True)
    post(client, _react_url(location, opening.id), {"kind": "fire", "on": "0"}, htmx=True)  # already off
    with app.app_context():
        assert get_row(Post, opening.id).reaction_counts == {"fire": 0, "rocket": 1}
        assert db.session.scalar(select(Discussion.score)) == 1
        assert db.session.scalar(select(Reaction.kind)) == "rocket"


def test_reaction_counts_reach_every_open_page_live(app, client, auth) -> None:
    mint = make_token(app)
    auth.sign_in()
    location = start_discussion(client, mint)
    opening = _opening(app)
    with app.app_context():
        topic = discussion_topic(opening.discussion_id)
        start = live.latest_cursor(topic) or "0-0"
    auth.sign_in()
    post(client, _react_url(location, opening.id), {"kind": "laugh", "on": "1"}, htmx=True)
    with app.app_context():
        [pushed] = live.missed(topic, start)
    assert f'id="reaction-count-{opening.id}-laugh" hx-swap-oob="outerHTML">1</span>' in pushed.html
    assert f'id="reaction-count-{opening.id}-like" hx-swap-oob="outerHTML"></span>' in pushed.html
    assert "aria-pressed" not in pushed.html  # nobody's own buttons in what everyone gets


def test_two_tabs_reacting_at_once_count_once(app, make_user) -> None:
    mint = make_token(app)
    author = member_id(app, make_user())
    ids = build_tree(app, author, mint, [("comment", None)])
    reactor = member_id(app, make_user())
    barrier = threading.Barrier(8)
    errors: list[BaseException] = []
    changed: list[bool] = []

    def react() -> None:
        try:
            with app.test_request_context():
                user = get_row(User, reactor)
                discussion = get_row(Discussion, ids["discussion"])
                barrier.wait()
                changed.append(reactions.set_reaction(user, discussion, ids["comment"], "like", True))
                db.session.remove()
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=react) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(changed) == [False] * 7 + [True]
    with app.app_context():
        assert get_row(Post, ids["comment"]).reaction_counts == {"like": 1}
        assert reactions.counted(ids["comment"]) == {"like": 1}
        assert db.session.scalar(select(Notification.count)) == 1


@pytest.mark.parametrize(("data", "status", "message"), [
    ({"kind": "heart", "on": "1"}, 400, "React with one of: like, fire, rocket, laugh, eyes."),
    ({"on": "1"}, 400, "React with one of"),
])
def test_unknown_kinds_are_refused(app, client, auth, data, status, message) -> None:
    mint = make_token(app)
    auth.sign_in()
    location = start_discussion(client, mint)
    opening = _opening(app)
    reply = post(client, _react_url(location, opening.id), data)
    assert reply.status_code == status and message in reply.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Reaction.id)) is None


def test_signed_out_visitors_gone_posts_and_other_discussions_posts_take_no_reactions(app, client, auth) -> None:
    mint = make_token(app)
    auth.sign_in()
    first = start_discussion(client, mint, "First")
    second = start_discussion(client, mint, "Second")
    with app.app_context():
        openings = db.session.scalars(select(Post.id).where(Post.depth == 0).order_by(Post.id)).all()
    assert post(client, _react_url(second, openings[0]), {"kind": "like"}).status_code == 404
    with app.app_context():
        db.session.execute(Post.__table__.update().where(Post.id == openings[0]).values(state="hidden"))
        db.session.commit()
    reply = post(client, _react_url(first, openings[0]), {"kind": "like"})
    assert reply.status_code == 422 and "no longer shown" in reply.get_data(as_text=True)
    signed_out = client.__class__(app)  # a fresh browser
    reply = signed_out.post(_react_url(first, openings[1]), data={"kind": "like"})
    assert reply.status_code == 401
    with app.app_context():
        assert db.session.scalar(select(Reaction.id)) is None


def test_the_pages_buttons_say_kind_and_direction_in_one_field(app, client, auth) -> None:
    mint = make_token(app)
    auth.sign_in()
    location = start_discussion(client, mint)
    opening = _opening(app)
    page = client.get(location).get_data(as_text=True)
    assert 'name="reaction" value="eyes:1"' in page
    reply = post(client, _react_url(location, opening.id), {"reaction": "eyes:1"}, htmx=True)
    assert 'name="reaction" value="eyes:0" aria-pressed="true"' in reply.get_data(as_text=True)
    post(client, _react_url(location, opening.id), {"reaction": "eyes:0"}, htmx=True)
    with app.app_context():
        assert get_row(Post, opening.id).reaction_counts == {"eyes": 0}
