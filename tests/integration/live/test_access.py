"""Who may follow what: a member's own topic is theirs alone; bad topics and foreign pages are refused."""
from __future__ import annotations

import pytest
import websockets.sync.client
from sqlalchemy import select
from websockets.typing import Origin

from tests.integration.live.conftest import MAX_PER_USER, connect, refusal, session_cookie
from webapp.extensions import db
from webapp.models import User


def _user_id(app, keypair) -> int:
    with app.app_context():
        return db.session.execute(select(User.id).where(User.wallet == str(keypair.pubkey()))).scalar_one()


def test_members_follow_their_own_topic_only(app, client, auth, make_user, web_processes) -> None:
    someone_else = _user_id(app, make_user("member"))
    me = _user_id(app, auth.sign_in())
    cookie = session_cookie(client)
    url = web_processes[0].ws_url

    mine = connect(url, f"global,user:{me}", cookie=cookie)
    mine.close()
    assert refusal(url, f"user:{someone_else}", cookie=cookie) == (1008, f"not allowed to follow user:{someone_else}")
    assert refusal(url, f"global,user:{someone_else}", cookie=cookie)[0] == 1008
    # Signed out, nobody's topic is yours.
    assert refusal(url, f"user:{me}")[0] == 1008


def test_an_admin_cannot_follow_someone_elses_topic_either(app, client, auth, make_user, web_processes) -> None:
    member = _user_id(app, make_user("member"))
    auth.sign_in(make_user("admin"))
    assert refusal(web_processes[1].ws_url, f"user:{member}", cookie=session_cookie(client))[0] == 1008


@pytest.mark.parametrize(
    "topics",
    ["", "everything", "token:not-a-mint", "user:0", "user:abc", "battle:-1",
     ",".join(f"bounty:{n}" for n in range(1, 18)), "GLOBAL"],
)
def test_unknown_topics_are_refused(web_processes, topics) -> None:
    code, reason = refusal(web_processes[0].ws_url, topics)
    assert code == 1008 and reason


def test_pages_from_other_sites_cannot_connect(web_processes) -> None:
    web = web_processes[0]
    assert refusal(web.ws_url, "global", origin="https://evil.example") == (
        1008, "cross-origin connections are not allowed")
    with websockets.sync.client.connect(web.ws_url + "?topics=global", origin=Origin(web.url)) as same_site:
        message = same_site.recv(timeout=5)
        assert isinstance(message, str) and message.startswith("<!-- live: global")


def test_one_member_has_a_limited_number_of_connections(app, client, auth, web_processes, redis) -> None:
    me = _user_id(app, auth.sign_in())
    cookie = session_cookie(client)
    web = web_processes[1]
    clients = [connect(web.ws_url, f"user:{me}", cookie=cookie) for _ in range(MAX_PER_USER)]
    try:
        assert refusal(web.ws_url, "global", cookie=cookie) == (1013, "too many connections for this member")
        connect(web.ws_url, "global").close()  # the same address, signed out, is still welcome
    finally:
        for ws_client in clients:
            ws_client.close()
    web.wait_for(redis, lambda report: report["connections"] == 0)
    connect(web.ws_url, f"user:{me}", cookie=cookie).close()
