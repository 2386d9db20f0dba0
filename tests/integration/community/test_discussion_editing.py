"""Editing with every version kept, history per role, soft deletion, reply drafts, and what live pages hear."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.conftest import get_row
from tests.integration.community.discussion_support import build_tree, make_token, member_id, post, start_discussion
from webapp import live
from webapp.extensions import db
from webapp.live.topics import discussion_topic
from webapp.models import Discussion, Draft, Post, PostVersion


def _posts(app) -> list[Post]:
    with app.app_context():
        found = list(db.session.scalars(select(Post).order_by(Post.id)).all())
        for row in found:
            db.session.expunge(row)
        return found


def test_the_author_edits_and_every_version_is_kept(app, client, auth) -> None:
    mint = make_token(app)
    auth.sign_in()
    location = start_discussion(client, mint, "First title", "first text")
    [opening] = _posts(app)
    edit_url = f"{location}/posts/{opening.id}/edit"
    form = client.get(edit_url).get_data(as_text=True)
    assert ">first text</textarea>" in form and 'value="First title"' in form
    assert post(client, edit_url, {"title": "Second title", "body": "second text"}).status_code == 302
    reply = post(client, edit_url, {"title": "Third title", "body": "third _text_"}, htmx=True)
    assert reply.status_code == 200 and "third <em>text</em>" in reply.get_data(as_text=True)
    assert 'hx-swap-oob="outerHTML">Third title</a>' in reply.get_data(as_text=True)  # the heading follows
    with app.app_context():
        versions = db.session.scalars(select(PostVersion).order_by(PostVersion.id)).all()
        assert [(v.title, v.body) for v in versions] == [("First title", "first text"),
                                                        ("Second title", "second text")]
        discussion = db.session.scalars(select(Discussion)).one()
        assert discussion.title == "Third title" and discussion.slug == "third-title"
        assert get_row(Post, opening.id).edited_at is not None
    history = client.get(f"/tokens/{mint}/discussions/{discussion.id}/posts/{opening.id}/history")
    text = history.get_data(as_text=True)
    assert history.status_code == 200 and "first text" in text and "second text" in text
    too_long = post(client, edit_url, {"title": "Third title", "body": "x" * 20_001})  # an old slug still works
    assert too_long.status_code == 422 and "Write 1 to 20,000 characters" in too_long.get_data(as_text=True)


@pytest.mark.parametrize(("who", "status"), [
    ("author", 200), ("member", 403), ("moderator", 200), ("admin", 200), ("visitor", 401)])
def test_who_sees_a_posts_history(app, client, auth, make_user, who, status) -> None:
    mint = make_token(app)
    author = make_user()
    ids = build_tree(app, member_id(app, author), mint, [("c", None)])
    with app.app_context():
        db.session.add(PostVersion(post_id=ids["c"], editor_id=member_id(app, author), body="the old words"))
        db.session.commit()
    if who != "visitor":
        auth.sign_in(author if who == "author" else make_user("member" if who == "member" else who))
    reply = client.get(f"/tokens/{mint}/discussions/{ids['discussion']}/posts/{ids['c']}/history")
    assert reply.status_code == status
    assert ("the old words" in reply.get_data(as_text=True)) == (status == 200)


def test_nobody_edits_or_deletes_someone_elses_post(app, client, auth, make_user) -> None:
    mint = make_token(app)
    author = make_user()
    ids = build_tree(app, member_id(app, author), mint, [("c", None)])
    auth.sign_in()
    base = f"/tokens/{mint}/discussions/{ids['discussion']}/posts/{ids['c']}"
    assert client.get(f"{base}/edit").status_code == 403
    for url, data in ((f"{base}/edit", {"body": "mine now"}), (f"{base}/delete", {})):
        reply = post(client, url, data)
        assert reply.status_code == 403 and "Only its author" in reply.get_data(as_text=True)
    with app.app_context():
        found = get_row(Post, ids["c"])
        assert found.state == "visible" and found.body == f"post {ids['c']}"
        assert db.session.scalar(select(PostVersion.id)) is None


def test_deleting_keeps_the_thread_shape_and_live_pages_hear_it(app, client, auth) -> None:
    mint = make_token(app)
    auth.sign_in()
    location = start_discussion(client, mint)
    [opening] = _posts(app)
    post(client, f"{location}/comments", {"parent_id": str(opening.id), "body": "to be deleted"})
    comment = _posts(app)[1]
    post(client, f"{location}/comments", {"parent_id": str(comment.id), "body": "the reply stays"})
    with app.app_context():
        topic = discussion_topic(opening.discussion_id)
        start = live.latest_cursor(topic)
    reply = post(client, f"{location}/posts/{comment.id}/delete", {}, htmx=True)
    assert reply.status_code == 200 and "[deleted]" in reply.get_data(as_text=True)
    page = client.get(location).get_data(as_text=True)
    assert "[deleted]" in page and "to be deleted" not in page and "the reply stays" in page
    assert f'id="replies-{comment.id}"' in page
    with app.app_context():
        [pushed] = live.missed(topic, start)
        assert db.session.scalar(select(Discussion.comment_count)) == 2
    assert f'id="post-content-{comment.id}" hx-swap-oob="outerHTML"' in pushed.html and "[deleted]" in pushed.html
    assert post(client, f"{location}/posts/{comment.id}/edit", {"body": "back"}).status_code == 422


def test_a_new_comment_goes_live_into_its_parents_replies_once(app, client, auth) -> None:
    mint = make_token(app)
    auth.sign_in()
    location = start_discussion(client, mint)
    [opening] = _posts(app)
    with app.app_context():
        topic = discussion_topic(opening.discussion_id)
        start = live.latest_cursor(topic) or "0-0"
    reply = post(client, f"{location}/comments", {"parent_id": str(opening.id), "body": "hello **all**"}, htmx=True)
    comment = _posts(app)[1]
    assert f'id="post-{comment.id}"' in reply.get_data(as_text=True)  # the author's own, without reload
    with app.app_context():
        [pushed] = live.missed(topic, start)
    html = pushed.html
    # at the end of the top level, or at its top on a page read newest first; never twice
    unless_there = f":not(:has(> #comment-{comment.id}))"
    assert f'hx-swap-oob="beforeend:#replies-{opening.id}:not([data-order=new]){unless_there}"' in html
    assert f'hx-swap-oob="afterbegin:#replies-{opening.id}[data-order=new]{unless_there}"' in html
    newest_first = client.get(f"{location}?order=new").get_data(as_text=True)
    assert f'id="replies-{opening.id}" data-order="new"' in newest_first
    assert "hello <strong>all</strong>" in html and "Edit</a>" not in html and 'name="csrf_token" value=""' in html
    # the heading's count moves with it
    assert f'id="discussion-activity-{opening.discussion_id}" hx-swap-oob="outerHTML">1 comment ·' in html
    post(client, f"{location}/posts/{comment.id}/edit", {"body": "hello again"})
    with app.app_context():
        pushed = live.missed(topic, start)[-1]
    assert f'id="post-content-{comment.id}"' in pushed.html and "hello again" in pushed.html


def test_a_reply_draft_is_restored_and_cleared_when_sent(app, client, auth) -> None:
    mint = make_token(app)
    keypair = auth.sign_in()
    location = start_discussion(client, mint)
    [opening] = _posts(app)
    post(client, f"/tokens/{mint}/discussions/drafts", {"draft_key": f"reply:{opening.id}", "body": "half a reply"},
         htmx=True)
    assert ">half a reply</textarea>" in client.get(location).get_data(as_text=True)
    post(client, f"{location}/comments", {"parent_id": str(opening.id), "body": "whole reply"})
    comment = _posts(app)[1]
    post(client, f"/tokens/{mint}/discussions/drafts", {"draft_key": f"reply:{comment.id}", "body": "nested draft"},
         htmx=True)
    form = client.get(f"{location}/comments/{comment.id}/reply", headers={"HX-Request": "true"})
    assert ">nested draft</textarea>" in form.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalars(select(Draft.key).where(Draft.user_id == member_id(app, keypair))).all() == [
            f"reply:{comment.id}"]
    assert ">half a reply</textarea>" not in client.get(location).get_data(as_text=True)


def test_without_javascript_reply_and_edit_have_pages_of_their_own(app, client, auth, make_user) -> None:
    mint = make_token(app)
    author = make_user()
    ids = build_tree(app, member_id(app, author), mint, [("c", None)])
    base = f"/tokens/{mint}/discussions/{ids['discussion']}-big-thread"
    assert client.get(f"{base}/comments/{ids['c']}/reply").status_code == 302  # to sign in first
    assert client.get(f"{base}/posts/{ids['c']}/edit").status_code == 302
    auth.sign_in(author)
    page = client.get(f"{base}/comments/{ids['c']}/reply").get_data(as_text=True)
    assert f'name="parent_id" value="{ids["c"]}"' in page and "<!doctype html>" in page
    reply = post(client, f"{base}/comments", {"parent_id": str(ids["c"]), "body": "y" * 20_001})
    assert reply.status_code == 422 and "y" * 100 in reply.get_data(as_text=True)  # the text is kept
    edit_page = client.get(f"{base}/posts/{ids['c']}/edit").get_data(as_text=True)
    assert f">post {ids['c']}</textarea>" in edit_page


def test_ids_past_the_bigint_range_are_simply_not_found(app, client, auth) -> None:
    mint = make_token(app)
    auth.sign_in()
    location = start_discussion(client, mint)
    huge = "9" * 19
    assert client.get(f"{location}/comments/{huge}").status_code == 404
    assert client.get(f"{location}/posts/{huge}/history").status_code == 404
    assert post(client, f"{location}/posts/{huge}/reactions", {"reaction": "like:1"}).status_code == 404
    assert post(client, f"{location}/comments", {"parent_id": huge, "body": "x"}).status_code == 400
    assert client.get(f"/tokens/{mint}/discussions/{huge}").status_code == 404
    assert client.get(f"{location}?after={huge}").status_code == 400


def test_an_htmx_reply_that_is_too_long_comes_back_into_its_form(app, client, auth) -> None:
    mint = make_token(app)
    auth.sign_in()
    location = start_discussion(client, mint)
    [opening] = _posts(app)
    reply = post(client, f"{location}/comments", {"parent_id": str(opening.id), "body": "z" * 20_001}, htmx=True)
    assert reply.status_code == 422
    assert reply.headers["HX-Retarget"] == f"#reply-slot-{opening.id}" and reply.headers["HX-Reswap"] == "innerHTML"
    html = reply.get_data(as_text=True)
    assert "Write 1 to 20,000 characters; this has 20,001." in html and "z" * 20_001 in html
    assert len(_posts(app)) == 1


def test_newest_first_lists_top_level_comments_in_reverse(app, client, make_user) -> None:
    mint = make_token(app)
    ids = build_tree(app, member_id(app, make_user()), mint, [(index, None) for index in range(3)])
    base = f"/tokens/{mint}/discussions/{ids['discussion']}-big-thread"
    for order, expected in (("old", [0, 1, 2]), ("new", [2, 1, 0])):
        html = client.get(f"{base}?order={order}").get_data(as_text=True)
        shown = [html.index(f'id="post-{ids[index]}"') for index in expected]
        assert shown == sorted(shown), order
    assert client.get(f"{base}?order=sideways").status_code == 400
