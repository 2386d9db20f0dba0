"""A member buys on a bonding curve in the browser; their wallet signs, and the trade shows on the page.

A firm quote counts down; one the market moved past comes back as a new quote to sign, and one that expired is
never handed to the wallet.
"""
from __future__ import annotations

import time

from playwright.sync_api import expect
from sqlalchemy import select

from tests.e2e.wallet import sign_in_with_test_wallet
from tests.integration.trading.conftest import SOL, chain, market, payout_world, sign_until_landed  # noqa: F401
from webapp.extensions import db
from webapp.live.hub import hub_for
from webapp.models import TradeOrder
from webapp.services.indexer import store
from webapp.services.trading import orders


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
