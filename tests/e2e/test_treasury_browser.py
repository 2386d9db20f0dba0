"""Wallets and payouts in the browser: an admin sends tokens and follows the run."""
from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e.wallet import sign_in_with_test_wallet
from tests.integration.payouts.conftest import chain, payout_world  # noqa: F401
from webapp.services.indexer.tracking import track_mint
from webapp.services.payouts import runs


def test_admin_sends_tokens_and_sees_the_payout_confirmed(app, live_server, page, screenshot, payout_world) -> None:  # noqa: F811
    world = payout_world
    world.fund(50_000_000)
    admin = sign_in_with_test_wallet(app, live_server, page, admin=True)
    page.goto(live_server + "/admin/wallets")
    expect(page.locator(".wallet-card")).to_contain_text("payout_hot")
    expect(page.locator(".wallet-card")).to_contain_text("50")
    page.fill("#recipient", str(admin.pubkey()))
    page.fill("#mint", str(world.mint))
    page.fill("#amount", "12.5")
    screenshot("admin-wallets")
    page.get_by_role("button", name="Send").click()
    expect(page.locator("#alerts")).to_contain_text("queued")
    with app.app_context():
        assert runs.execute_run("payout_hot").status == "done"
    page.goto(live_server + "/admin/payouts")
    expect(page.locator("#payouts-table")).to_contain_text("confirmed")
    expect(page.locator(".run").first).to_contain_text("1 confirmed")
    screenshot("admin-payouts")
    with app.app_context():  # a tracked mint: the profile knows its decimals and symbol
        track_mint(world.rpc, str(world.mint), name="Treasury Token", symbol="TRSY")
    page.goto(live_server + f"/u/{admin.pubkey()}")
    expect(page.locator(".profile-payouts")).to_contain_text("Sent by the team")
    expect(page.locator(".profile-payouts")).to_contain_text("12.5 TRSY")
    screenshot("profile-payouts")
    assert world.token_balance(admin.pubkey()) == 12_500_000
