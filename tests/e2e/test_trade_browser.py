"""A member buys on a bonding curve in the browser; their wallet signs, and the trade shows on the page.

A firm quote counts down; one the market moved past comes back as a new quote to sign, and one that expired is
never handed to the wallet.
"""
from __future__ import annotations

import os
import time
from pathlib import Path

from playwright.sync_api import expect
from sqlalchemy import select

from tests.e2e.wallet import sign_in_with_test_wallet
from tests.integration.trading.conftest import SOL, chain, market, payout_world, sign_until_landed  # noqa: F401
from webapp.extensions import db
from webapp.live.hub import hub_for
from webapp.models import TradeOrder
from webapp.money import units_text
from webapp.services.indexer import store
from webapp.services.member_transactions import NETWORK_FEE_LAMPORTS, WALLET_RENT_MINIMUM
from webapp.services.trading import orders
from webapp.services.trading.orders import TOKEN_ACCOUNT_RENT


def test_a_member_buys_on_the_curve_with_their_wallet(app, live_server, page, screenshot, market) -> None:  # noqa: F811
    keypair = sign_in_with_test_wallet(app, live_server, page)
    rpc = market.world.rpc
    rpc.confirm(rpc.request_airdrop(keypair.pubkey(), 3 * SOL))
    page.goto(live_server + f"/tokens/{market.mint}")
    expect(page.locator("#trade-panel")).to_contain_text("Trade on the curve")
    expect(page.locator(f"#curve-{market.mint}")).to_contain_text("0 SOL raised")
    page.get_by_test_id("trade-amount").fill("0.5")
    expect(page.locator("#trade-preview")).to_contain_text("You receive about")
    page.get_by_test_id("trade-review").click()
    expect(page.get_by_test_id("trade-order")).to_contain_text("Buy")
    expect(page.get_by_test_id("trade-expiry")).to_contain_text("Firm until")
    expect(page.get_by_test_id("trade-expiry")).to_contain_text(" s left)")
    screenshot("token-trade-quote")
    deadline = time.monotonic() + 10
    while hub_for(app).connections < 1:
        assert time.monotonic() < deadline, "the page never opened its live socket"
        time.sleep(0.02)
    page.get_by_test_id("trade-sign").click()
    expect(page.get_by_test_id("trade-confirmed")).to_contain_text("Bought", timeout=30_000)

    with app.app_context():
        order = db.session.scalar(select(TradeOrder).where(TradeOrder.wallet == str(keypair.pubkey())))
        assert order is not None, "the buy was not recorded"
        assert order.status == "confirmed"
        assert market.tokens_of(keypair.pubkey()) == int(order.token_amount)
        # the worker's indexing job, run here: the page then shows the buy live
        signature = order.signature
        raw = rpc.get_transaction(signature, encoding="jsonParsed")
        assert signature in store.index_batch([raw]).indexed
    row = page.locator(f"#trade-{signature}-{keypair.pubkey()}")
    expect(row).to_be_visible(timeout=5_000)
    expect(row).to_contain_text("SPRK")
    page.reload()
    expect(page.locator(f"#curve-{market.mint}")).to_contain_text("SOL to graduation")
    expect(page.locator("#trades")).to_contain_text("SPRK")
    screenshot("token-trade")


def test_max_fills_the_amount_and_a_trade_updates_the_box_and_stake_card(app, live_server, page, screenshot,
                                                                        market) -> None:  # noqa: F811
    keypair = sign_in_with_test_wallet(app, live_server, page)
    rpc = market.world.rpc
    rpc.confirm(rpc.request_airdrop(keypair.pubkey(), 2 * SOL))
    page.goto(live_server + f"/tokens/{market.mint}")
    expect(page.get_by_test_id("my-sol")).to_have_text("2 SOL")
    expect(page.get_by_test_id("my-tokens")).to_have_text("0 SPRK")
    expect(page.get_by_test_id("my-wallet")).to_contain_text("0 SPRK")  # the stake card
    expect(page.get_by_test_id("trade-max-sell")).to_have_count(0)
    page.get_by_test_id("trade-max-buy").click()
    # all the SOL but the network fee, the new token account's rent and the rent the wallet keeps
    most = market.lamports_of(keypair.pubkey()) - NETWORK_FEE_LAMPORTS - TOKEN_ACCOUNT_RENT - WALLET_RENT_MINIMUM
    expect(page.get_by_test_id("trade-amount")).to_have_value(units_text(most, 9).replace(",", ""))
    expect(page.get_by_test_id("trade-minimum")).to_contain_text("SPRK")
    screenshot("token-trade-max")
    page.get_by_test_id("trade-review").click()
    page.get_by_test_id("trade-sign").click()
    expect(page.get_by_test_id("trade-confirmed")).to_contain_text("Bought", timeout=30_000)
    held = market.tokens_of(keypair.pubkey())
    text = f"{units_text(held, 6)} SPRK"
    # no reload: the trade's answer tells the box and the stake card to fetch their figures again
    expect(page.get_by_test_id("my-tokens")).to_have_text(text)
    expect(page.get_by_test_id("my-wallet")).to_have_text(text)
    page.get_by_test_id("trade-max-sell").click()
    expect(page.locator('input[name="side"][value="sell"]')).to_be_checked()
    expect(page.get_by_test_id("trade-amount")).to_have_value(text.removesuffix(" SPRK").replace(",", ""))
    expect(page.locator("#trade-preview")).to_contain_text("Minimum you receive")
    screenshot("token-trade-after")


def test_without_javascript_the_trade_form_says_a_wallet_is_needed(live_server, browser, market,  # noqa: F811
                                                                    tmp_path) -> None:
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1280, "height": 800})
    try:
        tab = context.new_page()
        tab.goto(live_server + f"/tokens/{market.mint}")
        expect(tab.get_by_test_id("trade-noscript")).to_contain_text("wallet extension")
        tab.get_by_test_id("trade-amount").fill("0.5")
        tab.get_by_test_id("trade-review").click()
        expect(tab.get_by_test_id("trade-needs-wallet")).to_contain_text("Trading needs a wallet extension")
        expect(tab.get_by_test_id("trade-needs-wallet")).to_contain_text("buy with 0.5 SOL")
        folder = Path(os.environ.get("SCREENSHOT_DIR") or tmp_path)
        tab.screenshot(path=str(folder / "trade-needs-wallet.png"), full_page=True)
    finally:
        context.close()


def _whale_buys(market, app, lamports: int) -> None:  # noqa: F811
    """Another member trades meanwhile, through the same path."""
    user, keypair = market.member(lamports + 2 * SOL)
    with app.app_context():
        user = db.session.merge(user)
        placed = orders.place_order(user, market.mint, "buy", lamports, slippage_bps=100, expected=None,
                                    client=market.world.rpc)
        sign_until_landed(user, keypair, placed, market.world.rpc)


def test_a_quote_the_market_moved_past_comes_back_new_and_an_expired_one_is_not_signed(
        app, live_server, page, screenshot, market) -> None:  # noqa: F811
    keypair = sign_in_with_test_wallet(app, live_server, page)
    rpc = market.world.rpc
    rpc.confirm(rpc.request_airdrop(keypair.pubkey(), 3 * SOL))
    page.goto(live_server + f"/tokens/{market.mint}")
    page.get_by_test_id("trade-amount").fill("0.5")
    page.locator("select[name=slippage_bps]").select_option("50")
    page.get_by_test_id("trade-review").click()
    expect(page.get_by_test_id("trade-order")).to_contain_text("Buy")
    _whale_buys(market, app, 10 * SOL)  # the price moves far past 0.5 % while the member decides
    page.get_by_test_id("trade-sign").click()
    expect(page.get_by_test_id("trade-price-moved")).to_contain_text("The price moved", timeout=15_000)
    expect(page.get_by_test_id("trade-expiry")).to_contain_text(" s left)")
    screenshot("token-trade-price-moved")
    assert market.tokens_of(keypair.pubkey()) == 0
    page.get_by_test_id("trade-sign").click()  # the new quote signs and lands
    expect(page.get_by_test_id("trade-confirmed")).to_contain_text("Bought", timeout=30_000)
    bought = market.tokens_of(keypair.pubkey())
    assert bought > 0

    app.config["TRADE_QUOTE_SECONDS"] = 2
    try:  # a fresh preview first: the old one was priced before the member's own buy
        page.get_by_test_id("trade-amount").fill("0.3")
        expect(page.locator("#trade-preview")).to_contain_text("0.3")
        page.get_by_test_id("trade-review").click()
        expect(page.get_by_test_id("trade-sign")).to_have_text("Quote expired: ask for a new one", timeout=10_000)
        expect(page.get_by_test_id("trade-expiry")).to_contain_text("(expired)")
        screenshot("token-trade-quote-expired")
        page.get_by_test_id("trade-sign").dispatch_event("click")  # even a click on the disabled button
        expect(page.locator("#wallet-dialog-text")).to_contain_text("expired")
    finally:
        app.config["TRADE_QUOTE_SECONDS"] = 45
    with app.app_context():
        newest = db.session.scalar(select(TradeOrder).where(TradeOrder.wallet == str(keypair.pubkey()))
                                   .order_by(TradeOrder.id.desc()))
        assert newest is not None and newest.status == "awaiting_signature" and newest.signature is None
    assert market.tokens_of(keypair.pubkey()) == bought  # the wallet was never asked; nothing was sent
