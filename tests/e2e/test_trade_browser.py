"""A member buys on a bonding curve in the browser; their wallet signs, and the trade shows on the page."""
from __future__ import annotations

import time

from playwright.sync_api import expect
from sqlalchemy import select

from tests.e2e.wallet import sign_in_with_test_wallet
from tests.integration.trading.conftest import SOL, chain, market, payout_world  # noqa: F401
from webapp.extensions import db
from webapp.live.hub import hub_for
from webapp.models import TradeOrder
from webapp.services.indexer import store


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
