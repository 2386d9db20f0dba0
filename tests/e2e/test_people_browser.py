"""Notifications, the feed, follows and a member profile in Chromium: mark read in place, the bell live."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from playwright.sync_api import expect
from solders.keypair import Keypair
from solders.signature import Signature
from sqlalchemy import select

from tests.e2e.wallet import sign_in_with_test_wallet
from tests.integration.community.people import add_comment, add_discussion, opening_post
from webapp.extensions import db
from webapp.models import Follow, IndexedTransaction, NotificationKind, Token, TokenTrade, User
from webapp.services.community.notifications import notify


def _seed(app, wallet: str) -> dict[str, str]:
    now = datetime.now(UTC)
    with app.app_context():
        me = db.session.scalar(select(User).where(User.wallet == wallet))
        assert me is not None
        me.display_name, me.bio = "satoshi_fan", "Early on Wild Fires. I write about curves and community funds."
        names = ("Ana", "Bo.builds", "cyra", "dee_trades", "Eve")
        others = [User(wallet=str(Keypair().pubkey()), display_name=name) for name in names]
        db.session.add_all(others)
        mint = str(Keypair().pubkey())
        token = Token(mint=mint, name="Ember Cats", symbol="EMBR", decimals=6, supply=10**15, supply_slot=0,
                      tier="wild_fires")
        db.session.add(token)
        db.session.commit()
        db.session.add_all([Follow(follower_id=me.id, token_id=token.id),
                            Follow(follower_id=me.id, followed_user_id=others[0].id),
                            Follow(follower_id=others[1].id, followed_user_id=me.id)])
        db.session.commit()
        mine = add_discussion(token.id, me.id, "How should the community fund pay for memes?", now - timedelta(hours=5),
                              "I think challenges with **token rewards** beat one-off bounties.")
        add_discussion(token.id, others[0].id, "Curve is 80% sold: what happens at graduation?",
                       now - timedelta(hours=2), "The pool opens with the curve's SOL and the reserved tokens.")
        reply = add_comment(opening_post(mine), others[2].id, "Agreed, and entries should be public.",
                            now - timedelta(hours=1))
        add_comment(reply, me.id, "Yes: links or text, reviewed by moderators.", now - timedelta(minutes=50))
        for minutes, side in ((40, "buy"), (25, "sell"), (10, "buy")):
            signature = str(Signature.new_unique())
            at = now - timedelta(minutes=minutes)
            tx = IndexedTransaction(signature=signature, slot=100 + minutes, block_time=at, mints=[mint])
            db.session.add(tx)
            db.session.flush()
            db.session.add(TokenTrade(
                transaction_id=tx.id, signature=signature, position=0, mint=mint, wallet=str(Keypair().pubkey()),
                side=side, token_amount=125_500_000 * (1 + minutes), sol_amount=42_000_000 * (1 + minutes // 10),
                slot=tx.slot, block_time=at))
        db.session.commit()
        for other in others:
            notify(me.id, NotificationKind.REACTION, "reaction:post:1", "reacted to your comment", url="/feed",
                   actor_id=other.id)
        notify(me.id, NotificationKind.FOLLOW, f"follow:{me.id}", "followed you", actor_id=others[1].id,
               url=f"/u/{wallet}/followers")
        notify(me.id, NotificationKind.PAYOUT, "payout:1", "You received 1,250 EMBR: Reward pool",
               url=f"/u/{wallet}#payouts", data={"signature": str(Signature.new_unique())})
        notify(me.id, NotificationKind.REPLY, "reply:post:2", "replied to your comment", actor_id=others[2].id,
               url="/feed")
        db.session.commit()
        return {"mint": mint, "ana": others[0].wallet, "eve": others[4].wallet, "me_id": str(me.id),
                "eve_id": str(others[4].id)}


def test_notifications_feed_and_profile(app, live_server, page, screenshot) -> None:
    keypair = sign_in_with_test_wallet(app, live_server, page)
    wallet = str(keypair.pubkey())
    seeded = _seed(app, wallet)
    page.goto(live_server + "/notifications")
    bell = page.get_by_test_id("unread-count")
    expect(bell).to_have_text("4")
    expect(page.get_by_text("Eve, dee_trades and 3 others reacted to your comment")).to_be_visible()
    screenshot("notifications")
    page.get_by_test_id("mark-read").first.click()
    expect(bell).to_have_text("3")
    expect(page.locator(".notification.unread")).to_have_count(3)
    with app.app_context():  # a mention arrives while the page is open
        notify(int(seeded["me_id"]), NotificationKind.MENTION, "mention:9", "mentioned you",
               actor_id=int(seeded["eve_id"]), url="/feed")
        db.session.commit()
    expect(bell).to_have_text("4", timeout=5_000)
    page.get_by_test_id("mark-all-read").click()
    expect(page.get_by_test_id("unread-count")).to_have_count(0)

    page.goto(live_server + "/feed")
    expect(page.get_by_test_id("feed-item").first).to_be_visible()
    screenshot("feed")

    page.goto(live_server + f"/u/{seeded['eve']}")
    page.get_by_test_id("follow-member").click()
    expect(page.get_by_test_id("unfollow-member")).to_be_visible()
    expect(page.get_by_test_id("follower-count")).to_have_text("1")

    page.goto(live_server + f"/u/{seeded['eve']}/followers")
    expect(page.get_by_test_id("follow-row")).to_have_count(1)
    screenshot("member-followers")

    page.goto(live_server + f"/tokens/{seeded['mint']}")
    expect(page.get_by_test_id("unfollow-token")).to_be_visible()  # loaded for this visitor into the shared page
    page.get_by_test_id("unfollow-token").click()
    expect(page.get_by_test_id("follow-token")).to_be_visible()
    screenshot("token-follow")

    page.goto(live_server + f"/u/{wallet}")
    expect(page.get_by_test_id("profile-bio")).to_contain_text("curves and community funds")
    screenshot("member-profile")


def test_profile_settings_refuse_a_taken_name(app, live_server, page, screenshot) -> None:
    keypair = sign_in_with_test_wallet(app, live_server, page)
    with app.app_context():
        db.session.add(User(wallet=str(Keypair().pubkey()), display_name="Taken_Name"))
        db.session.commit()
    page.goto(live_server + f"/u/{keypair.pubkey()}")
    page.get_by_test_id("edit-profile").click()
    page.fill("#display_name", "taken_name")
    page.fill("#bio", "Hello")
    page.get_by_test_id("save-profile").click()
    expect(page.get_by_test_id("profile-error")).to_contain_text("is taken")
    screenshot("profile-settings-taken")
    page.fill("#display_name", "fresh.name")
    page.get_by_test_id("save-profile").click()
    expect(page.locator("h1")).to_contain_text("fresh.name")
    expect(page.get_by_test_id("profile-bio")).to_have_text("Hello")
