"""The tokens directory and token pages, over data the indexer stored from real mainnet transactions."""
from __future__ import annotations

import re

import pytest

from tests.conftest import RAYDIUM_MINT, SUPPLY
from webapp.extensions import db
from webapp.models import Token


def test_directory_lists_tokens_with_figures(client, indexed) -> None:
    html = client.get("/tokens/?sort=market_cap").get_data(as_text=True)
    assert "Raydium Pump" in html and "Fast Pump" in html and "Wild Fires" in html
    # market caps from the last trades: Fast Pump 37,655,210,020 lamports, Raydium Pump 32,105,162,648; shown to
    # the cent, with sol_text's four decimals on hover
    fast, raydium = 'title="37.6552">37.66</abbr> SOL', 'title="32.1052">32.11</abbr> SOL'
    assert html.index("Fast Pump") < html.index(fast) < html.index("Raydium Pump") < html.index(raydium)
    wild = client.get("/tokens/?tier=wild_fires", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert wild.lstrip().startswith('<section id="token-directory"')
    assert "Raydium Pump" in wild and "Fast Pump" not in wild
    found = client.get("/tokens/?q=FPUMP").get_data(as_text=True)
    assert "Fast Pump" in found and "Raydium Pump" not in found
    by_mint = client.get(f"/tokens/?q={RAYDIUM_MINT[:10]}").get_data(as_text=True)
    assert "Raydium Pump" in by_mint


def test_directory_pages_with_keyset_cursors(app, client, indexed) -> None:
    from webapp.services import token_directory

    with app.app_context():
        first = token_directory.directory(sort="newest", limit=1)
        assert len(first.cards) == 1 and first.next_cursor
        second = token_directory.directory(sort="newest", limit=1, cursor=first.next_cursor)
        assert len(second.cards) == 1 and second.next_cursor is None
        assert first.cards[0].token.mint != second.cards[0].token.mint
    more = client.get(f"/tokens/?sort=newest&cursor={first.next_cursor}", headers={"HX-Request": "true"})
    assert more.status_code == 200 and "token-card" in more.get_data(as_text=True)


@pytest.mark.parametrize("query, message", [("sort=loudest", "Unknown sort"), ("tier=gold", "Tier must be"),
                                            ("cursor=%%%", "page link is broken"),
                                            ("graduated=maybe", "Graduated must be")])
def test_bad_directory_input_is_400(client, query, message) -> None:
    reply = client.get(f"/tokens/?{query}")
    assert reply.status_code == 400 and message in reply.get_data(as_text=True)


def test_token_page_shows_price_chart_holders_and_trades(client, indexed) -> None:
    html = client.get(f"/tokens/{RAYDIUM_MINT}").get_data(as_text=True)
    assert "Raydium Pump" in html and RAYDIUM_MINT in html
    assert '<svg class="chart price-chart"' in html and html.count('<rect class="volume"') >= 1
    assert '<tspan class="key">C</tspan> 0.0₇3211 ' in html  # the newest candle's readout, in SOL per token
    assert html.count('class="badge badge-buy"') == 5
    assert 'hx-swap-oob="afterbegin:#trades"' not in html  # the page's own rows are not out-of-band swaps
    assert "Top holders" in html and "%" in html
    # price of the last trade: 5,096,440 lamports for 158,742,070,732 base units → 0.00000003211 SOL per whole
    # token, its seven zeros after the point counted
    assert "0.0₇3211 SOL" in html
    chart = client.get(f"/tokens/{RAYDIUM_MINT}/chart?interval=1d", headers={"HX-Request": "true"})
    assert chart.status_code == 200 and chart.get_data(as_text=True).lstrip().startswith('<section id="price-chart"')
    assert client.get(f"/tokens/{RAYDIUM_MINT}/chart?interval=7y").status_code == 400
    # without htmx the interval link loads the whole page at that interval, marked as selected
    page = client.get(f"/tokens/{RAYDIUM_MINT}/chart?interval=1h").get_data(as_text=True)
    assert "Top holders" in page and re.search(r'aria-current="true">\s*1h</a>', page)
    assert not re.search(r'aria-current="true">\s*5m</a>', page)


def test_untracked_mint_is_404(client) -> None:
    reply = client.get("/tokens/So11111111111111111111111111111111111111112")
    assert reply.status_code == 404 and "does not track" in reply.get_data(as_text=True)


def test_token_page_body_is_cached_briefly(app, client, indexed) -> None:
    app.config["TOKEN_PAGE_CACHE_SECONDS"] = 30
    try:
        first = client.get(f"/tokens/{RAYDIUM_MINT}").get_data(as_text=True)
        with app.app_context():
            token = db.session.scalar(db.select(Token).where(Token.mint == RAYDIUM_MINT))
            token.name = "Renamed Meanwhile"
            db.session.commit()
        cached = client.get(f"/tokens/{RAYDIUM_MINT}").get_data(as_text=True)
        assert "Renamed Meanwhile" not in cached  # title and body come from the cache until it expires
        assert cached.split("<main", 1)[1] == first.split("<main", 1)[1]
        app.config["TOKEN_PAGE_CACHE_SECONDS"] = 0
        assert "Renamed Meanwhile" in client.get(f"/tokens/{RAYDIUM_MINT}").get_data(as_text=True)
    finally:
        app.config["TOKEN_PAGE_CACHE_SECONDS"] = 0


def test_token_names_are_escaped_in_title_and_body(app, client) -> None:
    with app.app_context():
        db.session.add(Token(mint=RAYDIUM_MINT, name="<script>alert(1)</script>", symbol="XSS", decimals=6,
                             supply=SUPPLY, supply_slot=0, program="token"))
        db.session.commit()
    for ttl in (0, 30):
        app.config["TOKEN_PAGE_CACHE_SECONDS"] = ttl
        try:
            html = client.get(f"/tokens/{RAYDIUM_MINT}").get_data(as_text=True)
        finally:
            app.config["TOKEN_PAGE_CACHE_SECONDS"] = 0
        assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_anonymous_visitors_share_one_page_with_no_token_and_no_cookie(app, indexed, auth) -> None:
    from solders.keypair import Keypair

    app.config["TOKEN_PAGE_CACHE_SECONDS"] = 30
    try:
        first, second = app.test_client(), app.test_client()
        reply_one = first.get(f"/tokens/{RAYDIUM_MINT}")
        reply_two = second.get(f"/tokens/{RAYDIUM_MINT}")
        assert reply_one.get_data() == reply_two.get_data()  # the same bytes for every signed-out visitor
        assert "Set-Cookie" not in reply_two.headers  # no session, nothing signed
        page = reply_two.get_data(as_text=True)
        assert '<meta name="csrf-token" content="">' in page and 'data-testid="nav-wallet"' not in page
        # an action from that page asks the visitor to sign in
        trade = second.post(f"/tokens/{RAYDIUM_MINT}/trade", data={"side": "buy", "amount": "1"},
                            headers={"HX-Request": "true", "X-CSRFToken": ""})
        assert trade.status_code == 401 and "Sign in with your wallet" in trade.get_data(as_text=True)
        # sign-in from that page: the challenge brings the token verify needs
        keypair = Keypair()
        challenge = second.get("/auth/nonce", query_string={"wallet": str(keypair.pubkey())}).get_json()
        assert challenge["csrfToken"]
        signed_in = second.post("/auth/verify", headers={"X-CSRFToken": challenge["csrfToken"]}, data={
            "wallet": str(keypair.pubkey()), "message": challenge["message"],
            "signature": str(keypair.sign_message(challenge["message"].encode()))})
        assert signed_in.status_code == 200, signed_in.get_data(as_text=True)
        # a signed-in member gets their own nav and token, not the shared copy
        member_page = second.get(f"/tokens/{RAYDIUM_MINT}").get_data(as_text=True)
        assert 'data-testid="nav-wallet"' in member_page and '<meta name="csrf-token" content="">' not in member_page
        auth.sign_in()
        signed_in_page = auth.client.get(f"/tokens/{RAYDIUM_MINT}").get_data(as_text=True)
        assert 'data-testid="nav-wallet"' in signed_in_page
        # a member remembered by cookie alone (their session cookie gone) is still recognised
        auth.client.delete_cookie("session")
        remembered = auth.client.get(f"/tokens/{RAYDIUM_MINT}").get_data(as_text=True)
        assert 'data-testid="nav-wallet"' in remembered
    finally:
        app.config["TOKEN_PAGE_CACHE_SECONDS"] = 0


def test_an_expired_shared_page_is_refreshed_in_the_background(app, indexed) -> None:
    app.config["TOKEN_PAGE_CACHE_SECONDS"] = 30
    try:
        visitor = app.test_client()
        first = visitor.get(f"/tokens/{RAYDIUM_MINT}").get_data(as_text=True)
        with app.app_context():
            token = db.session.scalar(db.select(Token).where(Token.mint == RAYDIUM_MINT))
            token.name = "Renamed Meanwhile"
            db.session.commit()
        store = app.extensions["momentum_anonymous_pages"]
        key = f"token:{RAYDIUM_MINT}"
        store.pages[key] = (0.0, store.pages[key][1])  # the copy has expired
        app.extensions["momentum_redis"].delete(f"momentum:page:{key}")  # and so has the body's
        noticed = visitor.get(f"/tokens/{RAYDIUM_MINT}").get_data(as_text=True)
        assert noticed == first  # the request that noticed is not kept waiting for the next copy
        refreshing = store.rendering.get(key)
        assert refreshing is None or refreshing.wait(10)  # the next copy is rendered by then
        assert "Renamed Meanwhile" in visitor.get(f"/tokens/{RAYDIUM_MINT}").get_data(as_text=True)
    finally:
        app.config["TOKEN_PAGE_CACHE_SECONDS"] = 0
