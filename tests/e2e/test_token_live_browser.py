"""A transaction made on the local chain appears on the open token page within a second, without reload."""
from __future__ import annotations

import time

from playwright.sync_api import expect
from solders.keypair import Keypair

from tests.integration.chain.conftest import DECIMALS
from tests.integration.payouts.conftest import chain, payout_world  # noqa: F401
from webapp.chain import spl
from webapp.live.hub import hub_for
from webapp.services.indexer import store
from webapp.services.indexer.tracking import track_mint


def test_new_activity_appears_on_the_open_token_page(app, live_server, page, screenshot, payout_world) -> None:  # noqa: F811
    world = payout_world
    with app.app_context():
        track_mint(world.rpc, str(world.mint), name="Live Token", symbol="LIVE")
    page.goto(live_server + f"/tokens/{world.mint}")
    expect(page.locator("#trades")).to_be_visible()
    deadline = time.monotonic() + 10
    while hub_for(app).connections < 1:
        assert time.monotonic() < deadline, "the page never opened its live socket"
        time.sleep(0.02)

    recipient = Keypair().pubkey()
    instructions = spl.transfer(world.treasury.pubkey(), world.mint, recipient, 1_234_500_000, DECIMALS)
    blockhash = world.rpc.get_latest_blockhash().blockhash
    signature = world.rpc.send_transaction(spl.sign(instructions, world.treasury, blockhash))
    world.rpc.confirm(signature)
    raw = world.rpc.get_transaction(signature, encoding="jsonParsed")
    with app.app_context():
        indexed_at = time.monotonic()
        assert str(signature) in store.index_batch([raw]).indexed
    row = page.locator(f"#trade-{signature}-{world.treasury.pubkey()}")
    expect(row).to_be_visible(timeout=1000)
    assert time.monotonic() - indexed_at < 1.0
    expect(row).to_contain_text("1,234.5")
    expect(row).to_contain_text("LIVE")
    screenshot("token-live")
