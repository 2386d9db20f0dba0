"""In Chromium: an open token page and the directory follow a token's figures as its trades are indexed."""
from __future__ import annotations

import copy
import time
from datetime import UTC, datetime, timedelta

from flask import Flask
from playwright.sync_api import expect

from tests.conftest import PUMP_MINT, RAYDIUM_MINT, SUPPLY, mainnet_transactions
from webapp.extensions import db
from webapp.live.hub import hub_for
from webapp.models import Token
from webapp.services.indexer import store


def _wait_for_sockets(app: Flask, count: int, timeout: float = 10.0) -> None:
    hub = hub_for(app)
    deadline = time.monotonic() + timeout
    while hub.connections < count:
        assert time.monotonic() < deadline, f"{hub.connections} sockets open, expected {count}"
        time.sleep(0.02)


def test_figures_move_on_the_open_token_page_and_directory(app: Flask, live_server, page, screenshot) -> None:
    with app.app_context():
        for mint, name, symbol in ((RAYDIUM_MINT, "Raydium Pump", "RPUMP"), (PUMP_MINT, "Fast Pump", "FPUMP")):
            db.session.add(Token(mint=mint, name=name, symbol=symbol, decimals=6, supply=SUPPLY, supply_slot=0,
                                 program="token", tier="wild_fires"))
        db.session.commit()
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    directory = page.context.new_page()
    directory.goto(live_server + "/tokens/")
    page.goto(live_server + f"/tokens/{RAYDIUM_MINT}")
    volume, card = page.locator(f"#volume-{RAYDIUM_MINT}"), directory.locator(f"#card-figures-{RAYDIUM_MINT}")
    expect(volume).to_have_text("0 SOL")
    expect(page.locator(f"#price-{RAYDIUM_MINT}")).to_have_text("—")
    expect(card).to_contain_text("—")
    _wait_for_sockets(app, 2)

    raws = copy.deepcopy(mainnet_transactions())
    for raw in raws:
        raw["blockTime"] = int((datetime.now(UTC) - timedelta(seconds=20)).timestamp())
    with app.app_context():
        assert not store.index_batch(raws).failed

    # the last trade's price, 0.00000003211 SOL, with its zeros counted; the supply of a billion, compact
    expect(page.locator(f"#price-{RAYDIUM_MINT}")).to_have_text("0.0₇3211 SOL", timeout=5000)
    expect(volume).not_to_have_text("0 SOL")
    expect(page.locator(f"#holders-{RAYDIUM_MINT}")).not_to_have_text("0")
    expect(page.locator(f"#market-cap-{RAYDIUM_MINT} abbr")).to_have_attribute("title", "32.1052")  # to the cent
    expect(page.locator(".token-stats abbr", has_text="1B")).to_have_attribute("title", "1,000,000,000")
    expect(card).to_contain_text("0.0₇3211 SOL", timeout=5000)
    expect(card.locator("dd").nth(2)).to_have_text(volume.inner_text())  # the same 24h volume on both
    assert not [e for e in errors if "Content Security Policy" in e], errors
    shot = screenshot("token-page-live-figures")
    directory.screenshot(path=str(shot.with_name("directory-live-figures.png")), full_page=True)
