"""/admin/live: figures from every web process, Prometheus gauges, and an audited broadcast."""
from __future__ import annotations

import urllib.request

import pytest
from sqlalchemy import func, select

from tests.integration.live.conftest import connect, receive_all
from webapp.extensions import db
from webapp.live import history
from webapp.models import AuditEntry

MINT = "So11111111111111111111111111111111111111112"


@pytest.mark.parametrize("role", [None, "member", "moderator"])
def test_only_admins_see_the_live_page_or_broadcast(app, client, auth, make_user, role, redis) -> None:
    if role:
        auth.sign_in(make_user(role))
    expected = 403 if role else 401
    assert client.get("/admin/live").status_code == expected
    assert client.get("/admin/live", headers={"HX-Request": "true"}).status_code == expected
    reply = client.post("/admin/live/broadcast", data={"topic": "global", "notice": "hi"},
                        headers={"X-CSRFToken": auth.csrf_token()})
    assert reply.status_code == expected
    assert redis.xlen(history.HISTORY_PREFIX + "global") == 0


def test_the_page_shows_every_process_and_topic(app, client, auth, make_user, web_processes, redis) -> None:
    first, second = web_processes
    clients = [connect(first.ws_url, f"global,token:{MINT}"), connect(second.ws_url, "global")]
    try:
        first.wait_for(redis, lambda r: r["connections"] == 1)
        second.wait_for(redis, lambda r: r["connections"] == 1)
        auth.sign_in(make_user("admin"))
        page = client.get("/admin/live").get_data(as_text=True)
        assert "Live hub" in page and 'aria-current="page">Live</a>' in page
        assert f":{first.worker_pid}</td>" in page and f":{second.worker_pid}</td>" in page
        assert f"token:{MINT}" in page
        fragment = client.get("/admin/live", headers={"HX-Request": "true"}).get_data(as_text=True)
        assert fragment.startswith('<div id="live-stats"') and "<html" not in fragment
        boosted = client.get("/admin/live", headers={"HX-Request": "true", "HX-Boosted": "true"}).get_data(as_text=True)
        assert "<html" in boosted

        with urllib.request.urlopen(first.url + "/metrics", timeout=5) as reply:
            metrics = reply.read().decode()
        assert f'momentum_live_connections{{pid="{first.worker_pid}"}} 1.0' in metrics
        assert 'momentum_live_subscriptions{kind="token"} 1.0' in metrics
    finally:
        for ws_client in clients:
            ws_client.close()


def test_an_admin_broadcasts_a_notice_and_it_is_audited(app, client, auth, make_user, web_processes) -> None:
    listener = connect(web_processes[1].ws_url, "global")
    try:
        admin = auth.sign_in(make_user("admin"))
        reply = client.post(
            "/admin/live/broadcast",
            data={"topic": " global ", "notice": "  Maintenance at <b>noon</b> UTC  "},
            headers={"HX-Request": "true", "X-CSRFToken": auth.csrf_token()},
        )
        assert reply.status_code == 200
        assert "Sent to global." in reply.get_data(as_text=True)
        (pushed,) = receive_all(listener, 1)
        assert 'hx-swap-oob="afterbegin:#alerts"' in pushed
        assert "Maintenance at &lt;b&gt;noon&lt;/b&gt; UTC" in pushed and "<b>noon" not in pushed
    finally:
        listener.close()
    with app.app_context():
        entry = db.session.scalar(select(AuditEntry))
        assert entry is not None, "the broadcast was not audited"
        assert entry.action == "live.broadcast" and entry.target_id == "global"
        assert entry.details == {"notice": "Maintenance at <b>noon</b> UTC"}
        assert entry.actor.wallet == str(admin.pubkey())


def test_a_broadcast_without_htmx_redirects_back(app, client, auth, make_user) -> None:
    auth.sign_in(make_user("admin"))
    reply = client.post("/admin/live/broadcast",
                        data={"topic": "bounty:3", "notice": "Bounty closes soon", "csrf_token": auth.csrf_token()})
    assert reply.status_code == 302 and reply.headers["Location"].endswith("/admin/live")


@pytest.mark.parametrize(
    "form, message",
    [
        ({"topic": "global", "notice": ""}, "Write the notice."),
        ({"topic": "global", "notice": "   "}, "Write the notice."),
        ({"topic": "global", "notice": "x" * 281}, "at most 280 characters"),
        ({"topic": "everyone", "notice": "hello"}, "Unknown topic"),
        ({"topic": "", "notice": "hello"}, "Name a topic"),
    ],
)
def test_bad_broadcasts_are_refused_and_nothing_is_written(app, client, auth, make_user, redis, form, message) -> None:
    auth.sign_in(make_user("admin"))
    reply = client.post("/admin/live/broadcast", data=form,
                        headers={"HX-Request": "true", "X-CSRFToken": auth.csrf_token()})
    assert reply.status_code == 422
    assert message in reply.get_data(as_text=True)
    assert redis.keys(history.HISTORY_PREFIX + "*") == []
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == 0


def test_a_broadcast_without_its_csrf_token_is_refused(app, client, auth, make_user, redis) -> None:
    auth.sign_in(make_user("admin"))
    reply = client.post("/admin/live/broadcast", data={"topic": "global", "notice": "hello"})
    assert reply.status_code == 400
    assert redis.keys(history.HISTORY_PREFIX + "*") == []
