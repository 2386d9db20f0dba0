"""An admin approves a launch in the browser; the token page shows its vesting."""
from __future__ import annotations

from playwright.sync_api import expect
from solders.keypair import Keypair
from solders.pubkey import Pubkey

from tests.conftest import get_row
from tests.e2e.wallet import sign_in_with_test_wallet
from tests.integration.payouts.conftest import chain, payout_world  # noqa: F401
from webapp.extensions import db, solana_client
from webapp.models import LaunchApplication, User
from webapp.services import launches, platform_wallets
from webapp.services.indexer import backfill, reconcile


def test_admin_approves_a_stable_grounds_launch(app, live_server, page, screenshot, payout_world,  # noqa: F811
                                                monkeypatch) -> None:
    world = payout_world
    with app.app_context():
        treasury = platform_wallets.ensure_wallet("treasury", "Platform reserves").address
        applicant = User(wallet=str(Keypair().pubkey()), display_name="garden-team")
        db.session.add(applicant)
        db.session.commit()
        launches.submit(applicant, launches.LaunchDraft(
            "Garden Guild", "GRDN", "stable_grounds", "Growers funding community gardens.",
            links={"website": "https://garden.example"}, team_allocation_bps=1500,
            team_wallets=[(str(Keypair().pubkey()), 60), (str(Keypair().pubkey()), 40)],
            cliff_days=90, vesting_days=365, unlock_period_days=30))
    world.rpc.confirm(world.rpc.request_airdrop(Pubkey.from_string(treasury), 10 * 10**9))
    keypair = sign_in_with_test_wallet(app, live_server, page, admin=True)
    page.goto(live_server + "/admin/launches")
    expect(page.locator(".launch-card")).to_contain_text("Garden Guild")
    # a pool the treasury cannot fund is refused, in SOL, with nothing created
    monkeypatch.setitem(app.config, "STABLE_POOL_SEED_LAMPORTS", 25 * 10**9)
    page.reload()
    expect(page.locator(".launch-card")).to_contain_text("against 25 SOL from the treasury wallet")
    page.get_by_role("button", name="Approve and launch").click()
    expect(page.locator("#review-problem-1")).to_contain_text("The treasury wallet holds 10 SOL")
    screenshot("admin-launch-refused")
    monkeypatch.setitem(app.config, "STABLE_POOL_SEED_LAMPORTS", 5 * 10**9)
    page.goto(live_server + "/admin/launches")
    page.get_by_role("button", name="Approve and launch").click()
    expect(page.locator("#alerts")).to_contain_text("approved")
    from worker.jobs import launch_token

    with app.app_context():
        launch_token(1)
        mint = get_row(LaunchApplication, 1).mint
        assert reconcile.reconcile(solana_client(), str(mint), recheck_pause=0).mismatches == 0  # escrow verified
    page.goto(live_server + "/admin/launches")
    expect(page.locator(".launch-card")).to_contain_text("Supply fixed")
    screenshot("admin-launches")
    page.goto(live_server + f"/tokens/{mint}")
    expect(page.locator(".vesting-panel")).to_contain_text("locked on chain")
    expect(page.locator(".launch-facts")).to_contain_text("Supply fixed")
    screenshot("token-vesting")
    # the public supply trades from launch, in the pool the launch opened
    expect(page.locator("#trade-panel")).to_contain_text("Trade in the pool")
    expect(page.locator("#trade-panel")).to_contain_text("opened at launch")
    expect(page.locator(f"#price-{mint}")).to_contain_text("SOL")
    world.rpc.confirm(world.rpc.request_airdrop(keypair.pubkey(), 3 * 10**9))
    page.get_by_test_id("trade-amount").fill("0.5")
    expect(page.locator("#trade-preview")).to_contain_text("liquidity pool")
    screenshot("token-stable-pool")
    page.get_by_test_id("trade-review").click()
    page.get_by_test_id("trade-sign").click()
    expect(page.get_by_test_id("trade-confirmed")).to_contain_text("Bought", timeout=30_000)
    with app.app_context():
        backfill.index_now(solana_client(), [backfill.FollowedAddress(str(mint), "mint")])
    page.reload()
    expect(page.locator("#trades")).to_contain_text("GRDN")
    screenshot("token-stable-pool-traded")
    page.goto(live_server + "/tokens/?tier=stable_grounds")
    expect(page.locator(".token-card")).to_contain_text("trading in its pool")
    expect(page.locator(".token-card")).not_to_contain_text("Graduated")
    screenshot("directory-stable-pool")
    page.goto(live_server + "/admin/chain")
    expect(page.locator("main")).to_contain_text("GRDN")
    screenshot("admin-chain")
