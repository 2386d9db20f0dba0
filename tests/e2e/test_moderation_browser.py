"""The moderation queue in the browser: reported posts grouped, a bulk hide, and the hidden post's author told."""
from __future__ import annotations

from datetime import UTC, datetime

from playwright.sync_api import expect
from sqlalchemy import select

from tests.e2e.wallet import sign_in_with_test_wallet
from tests.integration.community.test_reports import comment, discussion, holding, member, post_row, wallet_of
from webapp.extensions import db
from webapp.models import Notification, Post, User
from webapp.services.community import reports

REPORTED = [
    ("Free airdrop!!! Connect your wallet at claim-moderated.example to get 10x", ["scam", "spam", "scam"]),
    ("You are all idiots for holding this, dump it now", ["abuse", "abuse"]),
    ("Anyone watching the football tonight?", ["off-topic"]),
]


def test_a_moderator_reviews_reports_and_hides_two_posts_at_once(app, live_server, page, screenshot) -> None:
    _, opening = discussion(app, member(app), title="Staking rewards for the next quarter")
    posts = []
    for body, reasons in REPORTED:
        post_id = comment(app, opening, member(app), body=body)
        posts.append(post_id)
        for index, reason in enumerate(reasons):
            reporter = member(app)
            if index == 0:
                holding(app, wallet_of(app, reporter), 40)
            with app.test_request_context():
                reports.file_report(db.session.get_one(User, reporter), db.session.get_one(Post, post_id), reason,
                                    "Same message posted in five threads" if reason == "spam" else "")
    sign_in_with_test_wallet(app, live_server, page, admin=True)
    page.goto(live_server + "/admin/moderation")
    expect(page.get_by_role("heading", name="Moderation")).to_be_visible()
    expect(page.locator(".queue-item")).to_have_count(3)
    expect(page.get_by_test_id("open-reports")).to_have_text("3")
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 1280
    screenshot("moderation-queue")

    for post_id in posts[:2]:
        page.locator(f'#queue-post-{post_id} input[type="checkbox"]').check()
    bulk = page.locator("#moderation-bulk")
    bulk.locator('select[name="action"]').select_option("hide")
    bulk.locator('input[name="reason"]').fill("Scams and insults are not allowed here")
    bulk.get_by_role("button", name="Apply to ticked").click()
    expect(page.locator(".queue-item")).to_have_count(1)
    expect(page.locator("#alerts")).to_contain_text("Hid 2 posts.")
    assert [post_row(app, post_id).state for post_id in posts] == ["hidden", "hidden", "visible"]
    with app.app_context():
        told = db.session.scalars(select(Notification.text).where(Notification.kind == "moderation")).all()
    assert told.count("A moderator hid your comment: Scams and insults are not allowed here") == 2

    remaining = page.locator(f"#queue-post-{posts[2]}")
    remaining.get_by_text("Author: warn or suspend").click()
    suspend = remaining.locator('form[action$="/suspend"]')
    suspend.locator('select[name="period"]').select_option("7d")
    suspend.locator('input[name="reason"]').fill("Off-topic posts after two warnings")
    suspend.get_by_role("button", name="Suspend").click()
    expect(page.locator("#alerts")).to_contain_text("Suspended")
    expect(page.locator(f"#queue-post-{posts[2]}")).to_contain_text("suspended until")
    with app.app_context():
        author = db.session.get_one(User, post_row(app, posts[2]).author_id)
        assert author.is_suspended() and author.suspension_reason == "Off-topic posts after two warnings"
    page.locator(f"#queue-post-{posts[2]}").get_by_text("Author: warn or suspend").click()
    screenshot("moderation-queue-suspended-author")


def test_a_member_reports_from_the_report_page_and_a_suspended_one_sees_why(app, live_server, page,
                                                                          screenshot) -> None:
    _, opening = discussion(app, member(app), body="Send 1 SOL to this address and get 2 back")
    keypair = sign_in_with_test_wallet(app, live_server, page)
    page.goto(live_server + f"/posts/{opening}/report")
    expect(page.get_by_text("3 after 30 days")).to_be_visible()
    page.locator('select[name="reason"]').select_option("scam")
    page.locator('textarea[name="details"]').fill("Classic doubling scam")
    screenshot("report-post")
    page.get_by_role("button", name="Send report").click()
    expect(page.locator("#alerts")).to_contain_text("Thanks: your report is with the moderators.")
    expect(page.get_by_text("You reported this post")).to_be_visible()
    with app.app_context():
        reporter = db.session.scalars(select(User).where(User.wallet == str(keypair.pubkey()))).one()
        reporter.suspended_until = datetime(2031, 1, 2, 3, 4, tzinfo=UTC)
        reporter.suspension_reason = "Spamming referral links"
        db.session.commit()
    page.goto(live_server + "/tokens")
    banner = page.get_by_test_id("suspension-banner")
    expect(banner).to_contain_text("You are suspended until 02 Jan 2031, 03:04 UTC.")
    expect(banner).to_contain_text("Spamming referral links")
    screenshot("suspension-banner")
