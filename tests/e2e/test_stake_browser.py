"""A member stakes and gives to the community fund in the browser, their wallet signing, then unstakes."""
from __future__ import annotations

from playwright.sync_api import expect
from sqlalchemy import select

from tests.e2e.wallet import sign_in_with_test_wallet
from tests.integration.staking.conftest import buy_tokens
from tests.integration.trading.conftest import SOL, chain, market, payout_world  # noqa: F401
from webapp.extensions import db
from webapp.models import StakeDeposit, StakePosition, User
from webapp.money import token_units
from webapp.services.indexer import store


def test_a_member_stakes_with_their_wallet(app, live_server, page, screenshot, market) -> None:  # noqa: F811
    keypair = sign_in_with_test_wallet(app, live_server, page)
    rpc = market.world.rpc
    rpc.confirm(rpc.request_airdrop(keypair.pubkey(), 2 * SOL))
    with app.app_context():
        user = db.session.scalar(select(User).where(User.wallet == str(keypair.pubkey())))
        assert user is not None, "signing in created no member"
        db.session.expunge(user)
    held = buy_tokens(market, user, keypair, SOL // 2)
    page.goto(live_server + f"/tokens/{market.mint}")
    expect(page.get_by_test_id("my-wallet")).to_contain_text(token_units(held, 6))  # the card loaded itself

    stake = held // 4 // 10**6 * 10**6  # whole tokens, as a member types them
    page.get_by_test_id("stake-amount").fill(str(stake // 10**6))
    page.get_by_test_id("stake-submit").click()
    expect(page.get_by_test_id("stake-deposit")).to_contain_text("into the stake escrow")
    page.get_by_test_id("stake-sign").click()
    expect(page.get_by_test_id("stake-confirmed")).to_contain_text("Staked", timeout=30_000)
    expect(page.get_by_test_id("my-stake")).to_contain_text(token_units(stake, 6))  # reloaded on stake-changed

    page.get_by_test_id("fund-amount").fill("1000")
    page.get_by_test_id("fund-submit").click()
    page.get_by_test_id("stake-sign").click()
    expect(page.get_by_test_id("stake-confirmed")).to_contain_text("community fund", timeout=30_000)
    expect(page.get_by_test_id("my-contribution")).to_contain_text("1,000")

    with app.app_context():  # the worker's indexing jobs, run here: the page's totals come from the index
        signatures = db.session.scalars(select(StakeDeposit.signature).where(StakeDeposit.status == "confirmed")).all()
        assert len(signatures) == 2
        assert not store.index_batch([rpc.get_transaction(s, encoding="jsonParsed") for s in signatures]).failed
    page.reload()
    expect(page.get_by_test_id("staked-total")).to_contain_text(token_units(stake, 6))
    expect(page.get_by_test_id("fund-total")).to_contain_text("1,000")
    expect(page.get_by_test_id("my-stake")).to_contain_text(token_units(stake, 6))

    page.get_by_test_id("unstake-amount").fill("500")
    page.get_by_test_id("unstake-submit").click()
    expect(page.get_by_test_id("unstake-requested")).to_contain_text("Unstaking 500")
    expect(page.get_by_test_id("my-stake")).to_contain_text(token_units(stake - 500 * 10**6, 6))
    with app.app_context():
        assert int(db.session.execute(select(StakePosition.amount)).scalar_one()) == stake - 500 * 10**6
    page.locator("#stake-panel").scroll_into_view_if_needed()
    screenshot("token-stake")


def test_a_visitor_signs_in_from_the_shared_token_page(app, live_server, page, market) -> None:  # noqa: F811
    """The page every signed-out visitor shares carries no CSRF token; sign-in takes one from its challenge."""
    from solders.keypair import Keypair

    from tests.e2e.wallet import inject_test_wallet

    keypair = Keypair()
    inject_test_wallet(page, keypair)
    page.goto(live_server + f"/tokens/{market.mint}")
    assert page.locator('meta[name="csrf-token"]').get_attribute("content") == ""
    page.get_by_test_id("stake-visitor").get_by_role("link", name="Sign in to stake").click()
    expect(page.get_by_test_id("nav-wallet")).to_be_visible(timeout=15_000)
    assert page.url.endswith(f"/tokens/{market.mint}")
    expect(page.get_by_test_id("my-stake")).to_contain_text("0")  # the member's own card now
    assert page.locator('meta[name="csrf-token"]').get_attribute("content") != ""
