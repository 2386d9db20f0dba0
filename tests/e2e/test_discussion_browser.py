"""Two members in two browsers: one starts a discussion and replies, the other sees it arrive live and
reacts, and the first sees the count and a notification, all without reloading."""
from __future__ import annotations

import time

from playwright.sync_api import expect
from sqlalchemy import select

from tests.e2e.wallet import sign_in_with_test_wallet
from tests.integration.community.discussion_support import make_token
from webapp.extensions import db
from webapp.live.hub import hub_for
from webapp.models import HolderAccount, Post, User


def _wait_for_sockets(app, count: int) -> None:
    deadline = time.monotonic() + 10
    while hub_for(app).connections < count:
        assert time.monotonic() < deadline, "the pages never opened their live sockets"
        time.sleep(0.02)


def test_a_reply_and_a_reaction_reach_the_other_member_live(app, live_server, browser, screenshot) -> None:
    mint = make_token(app)
    first_context = browser.new_context(viewport={"width": 1280, "height": 800})
    second_context = browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        first, second = first_context.new_page(), second_context.new_page()
        first_wallet = sign_in_with_test_wallet(app, live_server, first)
        with app.app_context():
            db.session.execute(User.__table__.update().where(User.wallet == str(first_wallet.pubkey()))
                               .values(display_name="ana"))
            db.session.add(HolderAccount(account="Acct" + "1" * 40, mint=mint, owner=str(first_wallet.pubkey()),
                                         amount=3 * 10**13, slot=1))  # 3% of the supply: a whale
            db.session.commit()
        sign_in_with_test_wallet(app, live_server, second)

        first.goto(f"{live_server}/tokens/{mint}/discussions/new")
        first.fill("input[name=title]", "Where should the community fund go?")
        first.fill("textarea[name=body]", "Ideas welcome: **listings**, _memes_ or a `hackathon`?\n\n> quote me")
        first.click("button:has-text('Start discussion')")
        expect(first.locator("h1.discussion-heading")).to_contain_text("community fund")
        discussion_url = first.url
        second.goto(discussion_url)
        _wait_for_sockets(app, 2)  # one socket per page, for the discussion and its member's notifications

        first.fill("textarea[name=body]", "Opening bid: a hackathon with @ana judging")
        first.click("button:has-text('Comment')")
        with app.app_context():
            deadline = time.monotonic() + 5
            while (comment := db.session.scalar(select(Post).where(Post.depth == 1))) is None:
                assert time.monotonic() < deadline
                time.sleep(0.05)
                db.session.rollback()
            comment_id = comment.id
        expect(second.locator(f"#post-{comment_id}")).to_contain_text("Opening bid", timeout=2000)
        expect(first.locator(f"#post-{comment_id}")).to_have_count(1)  # the author's own, once, with its buttons
        expect(first.locator(f"#post-{comment_id} .post-actions")).to_contain_text("Edit")
        expect(second.locator(f"#post-{comment_id}")).to_contain_text("Opening bid", timeout=2000)

        second.click(f"#reactions-{comment_id} button[title=fire]")
        expect(second.locator(f"#reactions-{comment_id} button[title=fire]")).to_have_attribute("aria-pressed", "true")
        expect(first.locator(f"#reaction-count-{comment_id}-fire")).to_have_text("1", timeout=2000)
        expect(first.get_by_test_id("unread-count")).to_have_text("1", timeout=2000)

        second.click(f"#post-{comment_id} a:has-text('Reply')")
        second.fill(f"#reply-slot-{comment_id} textarea", "Count me in. Rules in a `README`?")
        second.click(f"#reply-slot-{comment_id} button:has-text('Reply')")
        expect(first.locator(f"#replies-{comment_id} .comment")).to_have_count(1, timeout=2000)
        expect(second.locator(f"#replies-{comment_id} .comment")).to_have_count(1)
        expect(first.get_by_test_id("unread-count")).to_have_text("2", timeout=2000)
        expect(first.locator(f"#post-{comment_id} .badge-whale")).to_be_visible()

        first.bring_to_front()
        page = first
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=str(_folder() / "discussion.png"), full_page=True)
        first.goto(f"{live_server}/tokens/{mint}/discussions")
        expect(first.locator(".discussion-row")).to_have_count(1)
        first.screenshot(path=str(_folder() / "discussions-list.png"), full_page=True)
        first.goto(f"{live_server}/tokens/{mint}")
        panel = first.locator("#community-panel")
        expect(panel).to_contain_text("Where should the community fund go?")
        panel.screenshot(path=str(_folder() / "token-community-panel.png"))
    finally:
        first_context.close()
        second_context.close()


def _folder():
    import os
    from pathlib import Path

    folder = Path(os.environ.get("SCREENSHOT_DIR") or "/tmp/discussion-screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def test_a_visitor_unfolds_a_deep_and_wide_thread(app, live_server, page, make_user) -> None:
    from tests.integration.community.discussion_support import build_tree, member_id

    mint = make_token(app)
    shape: list[tuple[object, object]] = [(level, level - 1 if level > 1 else None) for level in range(1, 9)]
    shape += [(f"sibling{index}", 1) for index in range(12)]
    ids = build_tree(app, member_id(app, make_user()), mint, shape)
    page.goto(f"{live_server}/tokens/{mint}/discussions/{ids['discussion']}-big-thread")
    replies = page.locator(f"#replies-{ids[1]} > .comment")
    expect(replies).to_have_count(5)  # the first few of 13 replies
    page.click(f"#more-{ids[1]} a")  # htmx appends the next ten in place
    expect(replies).to_have_count(13)
    expect(page.locator(f"#more-{ids[1]} a")).to_have_count(0)
    page.click(f"#comment-{ids[5]} > a.continue-thread")
    expect(page.locator(f"#post-{ids[8]}")).to_be_visible()
    expect(page.locator("details.ancestors summary")).to_contain_text("4 earlier comments")
    page.screenshot(path=str(_folder() / "discussion-thread.png"), full_page=True)
