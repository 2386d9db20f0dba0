"""/notifications: folded sentences, keyset pages, mark one or all read, opening a link, the live bell."""
from __future__ import annotations

import re

from sqlalchemy import select

from tests.conftest import csrf_token_from, get_row
from tests.integration.community.people import add_member, signed_in_member
from webapp import live
from webapp.extensions import db
from webapp.models import Notification, NotificationKind
from webapp.services.community import notification_page
from webapp.services.community.notifications import notify


def _page(client) -> str:
    reply = client.get("/notifications")
    assert reply.status_code == 200
    return reply.get_data(as_text=True)


def test_signed_out_visitors_go_to_sign_in(client) -> None:
    reply = client.get("/notifications")
    assert reply.status_code == 302 and "/auth/sign-in" in reply.headers["Location"]


def test_actors_phrase_names_each_once_and_counts_the_rest() -> None:
    assert notification_page.actors_phrase(["Ana"], 1) == "Ana"
    assert notification_page.actors_phrase(["Ana", "Bo"], 2) == "Ana and Bo"
    assert notification_page.actors_phrase(["Ana", "Bo"], 3) == "Ana, Bo and 1 other"
    assert notification_page.actors_phrase(["Ana", "Bo", "Cy"], 5) == "Ana, Bo and 3 others"
    assert notification_page.actors_phrase([], 3) == "3 members"


def test_folded_repeats_read_as_one_sentence_with_each_name_once(app, client, auth) -> None:
    owner, _ = signed_in_member(app, auth)
    actors = [add_member(app, name)[0] for name in ("Ana", "Bo", "Cy", "Dee", "Eve")]
    with app.app_context():
        for actor in actors:
            notify(owner, NotificationKind.REACTION, "reaction:post:7", "reacted to your comment", url="/p/7",
                   actor_id=actor)
        # the same member reacting again with another kind still names her once
        notify(owner, NotificationKind.REACTION, "reaction:post:7", "reacted to your comment", url="/p/7",
               actor_id=actors[-1])
        notify(owner, NotificationKind.FOLLOW, f"follow:{owner}", "followed you", actor_id=actors[0])
        db.session.commit()
    html = _page(client)
    assert "Eve, Dee and 3 others reacted to your comment" in html
    assert html.count("Eve") == 1
    assert "Ana followed you" in html
    assert len(re.findall(r'class="notification unread', html)) == 2
    assert 'data-testid="unread-count">2<' in html  # the nav bell


def test_mark_one_read_swaps_the_row_and_the_bell(app, client, auth) -> None:
    owner, _ = signed_in_member(app, auth)
    other, _, _ = add_member(app, "Ana")
    with app.app_context():
        first = notify(owner, NotificationKind.REPLY, "reply:1", "replied to your comment", actor_id=other)
        notify(owner, NotificationKind.MENTION, "mention:2", "mentioned you", actor_id=other)
        db.session.commit()
    token = csrf_token_from(_page(client))
    reply = client.post(f"/notifications/{first}/read", headers={"X-CSRFToken": token, "HX-Request": "true"})
    assert reply.status_code == 200
    html = reply.get_data(as_text=True)
    assert f'id="notification-row-{first}" class="notification kind-reply"' in html  # no longer unread
    assert 'id="nav-notifications"' in html and 'hx-swap-oob="outerHTML"' in html
    assert 'data-testid="unread-count">1<' in html
    with app.app_context():
        assert get_row(Notification, first).read_at is not None


def test_mark_all_read_without_javascript(app, client, auth) -> None:
    owner, _ = signed_in_member(app, auth)
    other, _, _ = add_member(app, "Bo")
    with app.app_context():
        for index in range(3):
            notify(owner, NotificationKind.MENTION, f"mention:{index}", "mentioned you", actor_id=other)
        db.session.commit()
    token = csrf_token_from(_page(client))
    reply = client.post("/notifications/read-all", data={"csrf_token": token}, follow_redirects=True)
    assert reply.status_code == 200
    html = reply.get_data(as_text=True)
    assert "Marked 3 notifications read." in html
    assert 'class="notification unread' not in html and 'data-testid="unread-count"' not in html


def test_other_members_cannot_mark_or_open_yours(app, client, auth) -> None:
    stranger, _, _ = add_member(app, "Owner")
    actor, _, _ = add_member(app, "Actor")
    with app.app_context():
        theirs = notify(stranger, NotificationKind.REPLY, "reply:9", "replied", url="/secret", actor_id=actor)
        db.session.commit()
    signed_in_member(app, auth)
    token = csrf_token_from(_page(client))
    assert client.post(f"/notifications/{theirs}/read", headers={"X-CSRFToken": token}).status_code == 404
    assert client.get(f"/notifications/{theirs}/open").status_code == 404
    with app.app_context():
        assert get_row(Notification, theirs).read_at is None


def test_marking_needs_the_csrf_token(app, client, auth) -> None:
    owner, _ = signed_in_member(app, auth)
    other, _, _ = add_member(app)
    with app.app_context():
        mine = notify(owner, NotificationKind.REPLY, "reply:3", "replied", actor_id=other)
        db.session.commit()
    assert client.post(f"/notifications/{mine}/read").status_code == 400
    with app.app_context():
        assert get_row(Notification, mine).read_at is None


def test_opening_a_notification_marks_it_read_and_follows_its_link(app, client, auth) -> None:
    owner, _ = signed_in_member(app, auth)
    other, _, _ = add_member(app)
    with app.app_context():
        mine = notify(owner, NotificationKind.REPLY, "reply:4", "replied", url="/tokens/x/discussions/4-a#post-9",
                      actor_id=other)
        unsafe = notify(owner, NotificationKind.REPLY, "reply:5", "replied", url="javascript:alert(1)", actor_id=other)
        db.session.commit()
    reply = client.get(f"/notifications/{mine}/open")
    assert reply.status_code == 302 and reply.headers["Location"] == "/tokens/x/discussions/4-a#post-9"
    assert client.get(f"/notifications/{unsafe}/open").headers["Location"] == "/notifications"
    with app.app_context():
        assert get_row(Notification, mine).read_at is not None


def test_pages_by_keyset_without_gaps_or_repeats(app, client, auth) -> None:
    owner, _ = signed_in_member(app, auth)
    other, _, _ = add_member(app)
    with app.app_context():
        ids = [notify(owner, NotificationKind.MENTION, f"mention:{index}", f"mentioned you #{index}",
                      actor_id=other) for index in range(70)]
        db.session.commit()
    seen: list[int] = []
    html = _page(client)
    for _ in range(5):
        seen += [int(found) for found in re.findall(r'id="notification-row-(\d+)"', html)]
        more = re.search(r'href="(/notifications\?cursor=[^"]+)"', html)
        if not more:
            break
        html = client.get(more.group(1).replace("&amp;", "&"), headers={"HX-Request": "true"}).get_data(as_text=True)
    assert seen == list(reversed(ids))  # newest first, each once
    assert client.get("/notifications?cursor=nonsense").status_code == 400


def test_the_bell_count_arrives_live_over_the_members_topic(app, client, auth) -> None:
    owner, _ = signed_in_member(app, auth)
    other, _, _ = add_member(app, "Ana")
    with app.app_context():
        topic = live.user_topic(owner)
        start = live.latest_cursor(topic) or "0-0"
        notify(owner, NotificationKind.FOLLOW, f"follow:{owner}", "followed you", actor_id=other)
        notify(owner, NotificationKind.MENTION, "mention:77", "mentioned you", actor_id=other)
        db.session.commit()
        pushed = live.missed(topic, start)
    assert pushed, "nothing pushed to the member"
    assert 'data-testid="unread-count">2<' in pushed[-1].html and 'hx-swap-oob="outerHTML"' in pushed[-1].html


def test_marking_read_updates_the_bell_in_the_members_other_tabs(app, client, auth) -> None:
    owner, _ = signed_in_member(app, auth)
    other, _, _ = add_member(app, "Ana")
    with app.app_context():
        first = notify(owner, NotificationKind.REPLY, "reply:11", "replied", actor_id=other)
        notify(owner, NotificationKind.REPLY, "reply:12", "replied", actor_id=other)
        db.session.commit()
        topic = live.user_topic(owner)
        start = live.latest_cursor(topic) or "0-0"
    token = csrf_token_from(_page(client))
    client.post(f"/notifications/{first}/read", headers={"X-CSRFToken": token, "HX-Request": "true"})
    with app.app_context():
        pushed = live.missed(topic, start)
        assert len(pushed) == 1 and 'data-testid="unread-count">1<' in pushed[0].html
        start = live.latest_cursor(topic)
    client.post("/notifications/read-all", headers={"X-CSRFToken": token, "HX-Request": "true"})
    with app.app_context():
        pushed = live.missed(topic, start)
        assert len(pushed) == 1 and 'id="nav-notifications"' in pushed[0].html
        assert 'data-testid="unread-count"' not in pushed[0].html
        start = live.latest_cursor(topic)
    client.post("/notifications/read-all", headers={"X-CSRFToken": token, "HX-Request": "true"})
    with app.app_context():
        assert live.missed(topic, start) == []  # nothing changed, nothing pushed


def test_whole_sentence_kinds_are_not_prefixed_with_names(app) -> None:
    owner, _, _ = add_member(app)
    reviewer, _, _ = add_member(app, "Mod")
    with app.app_context():
        notify(owner, NotificationKind.CHALLENGE, "challenge-entry:1", "Your entry in Memes was accepted.",
               actor_id=reviewer)
        db.session.commit()
        row = db.session.scalar(select(Notification).where(Notification.user_id == owner))
        assert row is not None
        assert notification_page.sentence(row, {reviewer: "Mod"}) == "Your entry in Memes was accepted."


def test_out_of_range_ids_and_cursors_are_clear_4xx(app, client, auth) -> None:
    signed_in_member(app, auth)
    token = csrf_token_from(_page(client))
    assert client.post("/notifications/99999999999999999999999/read", headers={"X-CSRFToken": token}).status_code == 404
    assert client.get("/notifications/99999999999999999999999/open").status_code == 404
    assert client.get("/notifications?cursor=99999999999999999..9223372036854775807").status_code == 200
    assert client.get("/feed?cursor=99999999999999999.trade.9223372036854775807").status_code == 200
    assert client.get("/feed?cursor=1.trade.9999999999999999999").status_code == 400
    assert client.get("/feed?cursor=1.TRADE.1").status_code == 400
