"""A token's figures move live: each indexed batch pushes what a fresh render of its page and its card shows."""
from __future__ import annotations

import copy
import json
import re
from datetime import UTC, datetime, timedelta

from flask import Flask

from tests.conftest import PUMP_MINT, RAYDIUM_MINT, mainnet_transactions, track_fixture_tokens
from webapp import live
from webapp.services.indexer import store

OOB = ' hx-swap-oob="outerHTML"'


def _landed_at(raws: list[dict], moment: datetime) -> list[dict]:
    """The mainnet transactions as if they had just landed at `moment`."""
    landed = copy.deepcopy(raws)
    for raw in landed:
        raw["blockTime"] = int(moment.timestamp())
    return landed


def _figures_pushed(topic: str, marker: str) -> list[str]:
    return [entry.html for entry in live.missed(topic, "0-0") if marker in entry.html]


def test_an_indexed_batch_pushes_the_figures_a_fresh_page_and_directory_show(app: Flask, client) -> None:
    track_fixture_tokens(app)
    with app.app_context():
        assert not store.index_batch(_landed_at(mainnet_transactions(), datetime.now(UTC) - timedelta(seconds=30)))\
            .failed
        page_figures = _figures_pushed(live.token_topic(RAYDIUM_MINT), f'id="volume-{RAYDIUM_MINT}"')
        card_figures = _figures_pushed(live.DIRECTORY, f'id="card-figures-{RAYDIUM_MINT}"')
    # once per batch and token, however many of its trades the batch held
    assert len(page_figures) == 1 and len(card_figures) == 1

    page = client.get(f"/tokens/{RAYDIUM_MINT}").get_data(as_text=True)
    pushed = [line.strip() for line in page_figures[0].splitlines() if line.strip().startswith("<span id=")]
    assert [re.match(r'<span id="([a-z-]+)-', line).group(1) for line in pushed] == [  # type: ignore[union-attr]  # each line is a figure
        "price", "market-cap", "change", "volume", "holders"]
    for figure in pushed:
        assert OOB in figure
        assert figure.replace(OOB, "") in page  # byte for byte what the page draws
    volume = next(figure for figure in pushed if 'id="volume-' in figure)
    assert re.search(r'">0\.\d*[1-9]\d* <span class="muted">SOL', volume)  # the batch's trades, counted

    directory = client.get("/tokens/").get_data(as_text=True)
    card = card_figures[0].strip()
    assert card.startswith(f'<dl id="card-figures-{RAYDIUM_MINT}"') and OOB in card
    assert card.replace(OOB, "") in directory


def _page_volume(html: str) -> str:
    found = re.search(r'24h volume</div><div class="stat-value small">(?:<span[^>]*>)?(.*?) <span class="muted">SOL',
                      html)
    assert found, "the token page shows its 24h volume"
    return found.group(1)


def _card_volume(html: str, mint: str) -> str:
    card = html.split(f'href="/tokens/{mint}"', 1)[1]
    found = re.search(r"24h volume</dt><dd[^>]*>(.*?) SOL</dd>", card)
    assert found, "the directory card shows its 24h volume"
    return found.group(1)


def test_the_directory_and_the_token_page_agree_on_24h_volume(app: Flask, client) -> None:
    track_fixture_tokens(app)
    raws = [raw for raw in mainnet_transactions() if PUMP_MINT in json.dumps(raw)]
    assert len(raws) == 2, "two trades of the token among the stored mainnet transactions"
    now = datetime.now(UTC)
    # one trade an hour ago and one stamped ahead of this server's clock (a chain's clock may run ahead of ours):
    # both pages count the same trades, whatever their times
    with app.app_context():
        for raw, moment in zip(raws, (now - timedelta(hours=1), now + timedelta(minutes=10)), strict=True):
            assert not store.index_batch(_landed_at([raw], moment)).failed

    page = _page_volume(client.get(f"/tokens/{PUMP_MINT}").get_data(as_text=True))
    card = _card_volume(client.get("/tokens/").get_data(as_text=True), PUMP_MINT)
    assert page == card and page != "0"
