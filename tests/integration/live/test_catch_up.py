"""A page that was disconnected asks for what it missed since its last cursor."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from webapp import live
from webapp.extensions import db
from webapp.models import User


def publish(app, topic: str, html: str) -> str:
    with app.app_context():
        return live.publish(topic, html)


def test_catch_up_returns_what_was_missed_oldest_first(app, client) -> None:
    seen = publish(app, "global", '<p id="a">first</p>')
    publish(app, "bounty:7", '<p id="elsewhere">another topic</p>')
    second = publish(app, "global", '<p id="b">second</p>')
    third = publish(app, "global", '<p id="c">third &amp; last</p>')

    reply = client.get("/live/catch-up", query_string={"topic": "global", "after": seen},
                       headers={"HX-Request": "true"})
    assert reply.status_code == 200
    body = reply.get_data(as_text=True)
    assert "first" not in body and "another topic" not in body
    assert body.index("second") < body.index("third &amp; last")
    assert f'<input type="hidden" id="live-cursor-global" name="after" value="{third}" hx-swap-oob="true">' in body
    assert second < third

    caught_up = client.get("/live/catch-up", query_string={"topic": "global", "after": third})
    assert caught_up.status_code == 204 and caught_up.get_data() == b""


def test_the_home_page_starts_from_the_latest_cursor(app, client) -> None:
    latest = publish(app, "global", '<p id="a">before the page</p>')
    page = client.get("/").get_data(as_text=True)
    assert 'ws-connect="/ws?topics=global"' in page
    assert f'id="live-cursor-global" name="after" value="{latest}"' in page
    assert 'hx-trigger="htmx:wsOpen from:closest .live-socket"' in page
    assert "hx-swap-oob" not in page.split('class="live-socket"', 1)[1]


def test_a_signed_in_page_follows_the_members_topic_without_a_notifications_badge(app, client, auth) -> None:
    keypair = auth.sign_in()
    with app.app_context():
        user_id = db.session.scalar(select(User.id).where(User.wallet == str(keypair.pubkey())))
    page = client.get("/").get_data(as_text=True)
    assert f'ws-connect="/ws?topics=global,user:{user_id}"' in page
    assert "notification-badge" not in page  # nothing in the nav that has no page behind it yet
    directory = client.get("/tokens/").get_data(as_text=True)  # the cards' figures, and the member's own topic
    assert f'ws-connect="/ws?topics=tokens,user:{user_id}"' in directory


def test_a_members_topic_is_theirs_alone(app, client, auth, make_user) -> None:
    publish(app, "user:1", '<p id="secret">for member 1</p>')
    assert client.get("/live/catch-up", query_string={"topic": "user:1", "after": "0-0"}).status_code == 401
    auth.sign_in(make_user("member"))  # user 1
    auth.sign_in(make_user("admin"))  # user 2
    assert client.get("/live/catch-up", query_string={"topic": "user:1", "after": "0-0"}).status_code == 403


@pytest.mark.parametrize(
    "query, status",
    [({"topic": "nope", "after": "0-0"}, 400), ({"after": "0-0"}, 400),
     ({"topic": "global", "after": "yesterday"}, 400), ({"topic": "global"}, 204)],
)
def test_bad_catch_up_requests(client, query, status) -> None:
    reply = client.get("/live/catch-up", query_string=query)
    assert reply.status_code == status
