"""The team sets a challenge in the browser, a member enters it (htmx), the team reviews entries in place."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from playwright.sync_api import expect
from solders.keypair import Keypair
from sqlalchemy import select

from tests.e2e.wallet import sign_in_with_test_wallet
from webapp.extensions import db
from webapp.models import Challenge, ChallengeEntry, LaunchApplication, Token, User

MINT = "BrowserChaLLenge11111111111111111111111111111"[:44]


def _token_with_team(app, applicant_wallet: str) -> None:
    with app.app_context():
        applicant = db.session.scalars(select(User).where(User.wallet == applicant_wallet)).one()
        db.session.add(Token(mint=MINT, name="Meme Guild", symbol="GUILD", decimals=6, supply=10**15, supply_slot=0,
                             program="token", tier="wild_fires"))
        db.session.add(LaunchApplication(applicant_id=applicant.id, name="Meme Guild", symbol="GUILD",
                                         tier="wild_fires", status="launched", mint=MINT))
        db.session.commit()


def _entries(app, challenge_id: int) -> None:
    """Three members' entries: one already accepted, two waiting."""
    texts = [("ana_memes", "A cat riding the bonding curve to the moon.", "https://example.org/cat.png", True),
             ("bo", "Guild members as a rowing team, every stroke a trade.", None, False),
             (None, "", "https://example.org/comic", False)]
    with app.app_context():
        challenge = db.session.get(Challenge, challenge_id)
        assert challenge is not None
        for name, text, link, accepted in texts:
            user = User(wallet=str(Keypair().pubkey()), display_name=name)
            db.session.add(user)
            db.session.flush()
            db.session.add(ChallengeEntry(
                challenge_id=challenge_id, user_id=user.id, text=text, link=link,
                status="accepted" if accepted else "pending", review_reason="Made us laugh" if accepted else None,
                reviewed_at=datetime.now(UTC) if accepted else None,
                reward_points=challenge.reward_points if accepted else 0,
                reward_token_amount=challenge.reward_token_amount if accepted else 0))
        db.session.commit()


def test_a_challenge_from_creation_to_review(app, live_server, browser, page, screenshot) -> None:
    team = sign_in_with_test_wallet(app, live_server, page)
    _token_with_team(app, str(team.pubkey()))
    page.goto(live_server + f"/tokens/{MINT}/challenges")
    page.get_by_role("link", name="New challenge").click()
    now = datetime.now(UTC)
    page.get_by_label("Title").fill("Meme of the week")
    page.get_by_label("Description (Markdown)").fill(
        "Make the **funniest** Meme Guild meme.\n\n- one entry per member\n- original work only")
    page.get_by_label("Starts (UTC)").fill((now - timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Ends (UTC)").fill((now + timedelta(days=3, hours=4, minutes=5)).strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Reward in points").fill("500")
    page.get_by_label("Reward in tokens (optional)").fill("1,000.5")
    page.get_by_role("button", name="Create challenge").click()
    expect(page.get_by_test_id("challenge-reward")).to_have_text("500 points and 1,000.5 GUILD")
    expect(page.get_by_test_id("time-left")).to_contain_text("3d 4h left")
    challenge_id = int(page.url.rstrip("/").rsplit("/", 1)[1])
    _entries(app, challenge_id)

    member_context = browser.new_context(viewport={"width": 1280, "height": 800})
    member_page = member_context.new_page()
    sign_in_with_test_wallet(app, live_server, member_page)
    member_page.goto(live_server + f"/tokens/{MINT}/challenges/{challenge_id}")
    member_page.get_by_label("Your entry").fill("The guild hall, drawn as a candle chart.")
    member_page.get_by_label("Link (optional)").fill("https://example.org/hall")
    member_page.get_by_role("button", name="Submit entry").click()
    expect(member_page.get_by_test_id("own-entry")).to_contain_text("waiting for review")  # swapped in by htmx

    page.reload()
    items = page.get_by_test_id("review-item")
    expect(items).to_have_count(3)
    first = items.nth(0)
    first.get_by_role("button", name="Accept").click()
    expect(page.locator("[data-testid=review-item]").nth(0)).to_contain_text("Reward pending:")
    second = page.get_by_test_id("review-item").nth(1)
    second.get_by_role("button", name="Reject").click()  # no reason: refused with a message
    expect(page.locator("#alerts")).to_contain_text("Say why the entry is rejected")
    second.get_by_label("Reason").fill("Please link the picture itself, not a page.")
    second.get_by_role("button", name="Reject").click()
    expect(page.get_by_test_id("review-item").nth(1)).to_contain_text("rejected")
    page.goto(live_server + f"/tokens/{MINT}/challenges/{challenge_id}")  # a fresh load: no restored scroll
    expect(page.get_by_test_id("accepted-entries")).to_contain_text("Reward pending:")
    folder = screenshot("challenge-page").parent

    member_page.goto(live_server + f"/tokens/{MINT}/challenges/{challenge_id}")
    expect(member_page.get_by_test_id("own-entry")).to_contain_text("waiting for review")
    member_page.screenshot(path=str(folder / "challenge-member.png"), full_page=True)
    member_context.close()

    page.goto(live_server + f"/tokens/{MINT}")
    panel = page.get_by_test_id("challenges-panel")
    expect(panel).to_contain_text("Meme of the week")
    panel.scroll_into_view_if_needed()
    screenshot("token-challenges-panel")
    page.get_by_role("link", name="All challenges").click()
    expect(page.get_by_test_id("challenges-running")).to_contain_text("Meme of the week")
    screenshot("challenges-list")
    with app.app_context():
        statuses = sorted(db.session.scalars(select(ChallengeEntry.status)))
        assert statuses == ["accepted", "accepted", "pending", "rejected"]
