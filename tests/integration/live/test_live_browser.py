"""In Chromium: pushed fragments appear on the open home page, and a reconnect catches up."""
from __future__ import annotations

import time

from playwright.sync_api import expect

from webapp import live
from webapp.live.hub import hub_for


def wait_for_sockets(app, count: int, timeout: float = 10.0) -> None:
    hub = hub_for(app)
    deadline = time.monotonic() + timeout
    while hub.connections < count:
        assert time.monotonic() < deadline, f"{hub.connections} sockets open, expected {count}"
        time.sleep(0.02)


def trade(app, signature: str) -> str:
    with app.app_context():
        return live.publish("global", live.render_transaction(
            signature=signature, label="buy", wallet="9" * 44,
            token_amount=1_500_000_000, decimals=6, sol_amount=250_000_000, symbol="MOM",
        ))


def test_a_trade_published_to_global_appears_on_the_home_page(app, live_server, page, screenshot) -> None:
    errors: list[str] = []
    catch_ups: list[int] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("response", lambda reply: catch_ups.append(reply.status) if "/live/catch-up" in reply.url else None)
    page.goto(live_server + "/")
    expect(page.locator("#trades")).to_be_empty()
    wait_for_sockets(app, 1)

    published = time.monotonic()
    cursor = trade(app, "1" * 88)
    row = page.locator(f"#trade-{'1' * 88}-{'9' * 44}")
    expect(row).to_be_visible(timeout=1000)
    assert time.monotonic() - published < 1.0
    expect(row).to_contain_text("1,500 MOM")
    expect(row).to_contain_text("for 0.25 SOL")
    assert page.locator("#live-cursor-global").get_attribute("value") == cursor

    # The server restarts its sockets; what is published meanwhile arrives through catch-up, once.
    assert hub_for(app).close_all(1012, "service restart") == 1
    missed = trade(app, "2" * 88)
    expect(page.locator(f"#trade-{'2' * 88}-{'9' * 44}")).to_have_count(1, timeout=5000)
    wait_for_sockets(app, 1)
    assert 200 in catch_ups, catch_ups  # the first open asked too, and got 204: nothing missed then
    assert page.locator("#live-cursor-global").get_attribute("value") == missed
    expect(page.locator("#trades .trade")).to_have_count(2)
    assert page.url == live_server + "/"
    assert not [e for e in errors if "Content Security Policy" in e or "htmx" in e.lower()], errors
    page.evaluate("window.scrollTo(0, 0)")
    screenshot("home-live")


def test_the_admin_live_page(app, client, auth, make_user, live_server, page, screenshot) -> None:
    auth.sign_in(make_user("admin"))
    page.context.add_cookies([{"name": "session", "value": client.get_cookie("session").value, "url": live_server}])
    page.goto(live_server + "/")
    wait_for_sockets(app, 1)
    with app.app_context():  # this process's report reaches Redis within LIVE_STATS_SECONDS
        deadline = time.monotonic() + 15
        while live.overview().connections < 1:
            assert time.monotonic() < deadline, "no live report in Redis"
            time.sleep(0.1)
    page.goto(live_server + "/admin/live")
    expect(page.get_by_test_id("live-connections")).not_to_have_text("0", timeout=10_000)
    page.fill("#notice", "Maintenance tonight at 22:00 UTC")
    page.get_by_role("button", name="Send notice").click()
    expect(page.locator("#broadcast .saved")).to_have_text("Sent to global.")
    page.evaluate("window.scrollTo(0, 0)")  # the sticky top bar belongs at the top of the picture
    screenshot("admin-live")
