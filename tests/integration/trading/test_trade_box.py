"""The trade box: the member's balances and max amounts, the least a quote accepts, and a page without a wallet."""
from __future__ import annotations

import re

from sqlalchemy import select

from tests.conftest import assert_human_amounts, landed_transaction
from tests.integration.trading.conftest import SOL, Market, wallet_signs
from webapp.extensions import db
from webapp.models import TradeOrder
from webapp.money import sol_text, units_text
from webapp.services.indexer import store
from webapp.services.member_transactions import NETWORK_FEE_LAMPORTS, WALLET_RENT_MINIMUM
from webapp.services.trading.orders import TOKEN_ACCOUNT_RENT

HTMX = {"HX-Request": "true"}


def _wallet_box(client, market: Market) -> str:
    reply = client.get(f"/tokens/{market.mint}/trade/wallet", headers=HTMX)
    assert reply.status_code == 200, reply.get_data(as_text=True)
    return reply.get_data(as_text=True)


def _fill(html: str, testid: str) -> str:
    found = re.search(rf'data-fill-amount="([^"]+)"[^>]*data-testid="{testid}"', html)
    assert found, html
    return found.group(1)


def _buy(client, auth, market: Market, keypair, amount: str):
    reply = client.post(f"/tokens/{market.mint}/trade", headers=HTMX, data={
        "side": "buy", "amount": amount, "slippage_bps": "100", "csrf_token": auth.csrf_token()})
    assert reply.status_code == 200, reply.get_data(as_text=True)
    html = reply.get_data(as_text=True)
    unsigned = re.search(r'data-transaction="([^"]+)"', html)
    submit = re.search(r'data-submit-url="([^"]+)"', html)
    assert unsigned and submit, html
    return client.post(submit.group(1), headers=HTMX,
                       data={"signed": wallet_signs(keypair, unsigned.group(1)), "csrf_token": auth.csrf_token()})


def test_a_visitor_is_asked_to_sign_in_and_the_shared_page_holds_no_balances(market: Market, client, auth) -> None:
    box = _wallet_box(client, market)
    assert 'data-testid="trade-visitor"' in box and "Sign in" in box
    _, keypair = market.member(2 * SOL)
    auth.sign_in(keypair)
    page = client.get(f"/tokens/{market.mint}").get_data(as_text=True)
    # the panel only names the fragment that loads the member's figures: the body stays the same for everyone
    assert re.search(r'<div id="trade-wallet"[^>]*hx-get="/tokens/[^"]+/trade/wallet"[^>]*></div>', page), page
    assert 'data-testid="my-sol"' not in page


def test_the_box_shows_balances_and_max_amounts_that_an_order_accepts(market: Market, client, auth) -> None:
    _, keypair = market.member(2 * SOL)
    auth.sign_in(keypair)
    box = _wallet_box(client, market)
    assert f"{sol_text(2 * SOL)} SOL" in box and "0 SPRK" in box
    max_buy = 2 * SOL - NETWORK_FEE_LAMPORTS - WALLET_RENT_MINIMUM - TOKEN_ACCOUNT_RENT  # no SPRK account yet
    assert _fill(box, "trade-max-buy") == units_text(max_buy, 9).replace(",", "")
    assert 'data-testid="trade-max-sell"' not in box  # nothing to sell
    assert_human_amounts(box)

    # the max buy goes through: the wallet keeps exactly its rent reserve, fee and new token account paid
    result = _buy(client, auth, market, keypair, _fill(box, "trade-max-buy"))
    assert result.status_code == 200, result.get_data(as_text=True)
    assert result.headers["HX-Trigger"] == "trade-changed, stake-changed"  # the box and the stake card reload
    held = market.tokens_of(keypair.pubkey())
    assert held > 0 and market.lamports_of(keypair.pubkey()) >= WALLET_RENT_MINIMUM

    # right away, before the indexer saw the trade, and after it did: the same figure, counted once
    for indexed in (False, True):
        if indexed:
            with market.app.app_context():
                signature = db.session.scalar(select(TradeOrder.signature).where(
                    TradeOrder.wallet == str(keypair.pubkey())))
                assert signature in store.index_batch(
                    [landed_transaction(market.world.rpc, signature, encoding="jsonParsed")]).indexed
        box = _wallet_box(client, market)
        assert f'data-testid="my-tokens">{units_text(held, 6)} SPRK' in box, box
        assert _fill(box, "trade-max-sell") == units_text(held, 6).replace(",", "")

    # selling the max sells everything held
    sell = client.get(f"/tokens/{market.mint}/trade/preview", headers=HTMX,
                      query_string={"side": "sell", "amount": _fill(box, "trade-max-sell"), "slippage_bps": "100"})
    assert sell.status_code == 200 and f"{units_text(held, 6)} SPRK" in sell.get_data(as_text=True)


def test_the_preview_shows_the_least_the_order_accepts(market: Market, client) -> None:
    for slippage, kept in (("100", 9_900), ("500", 9_500)):
        reply = client.get(f"/tokens/{market.mint}/trade/preview", headers=HTMX,
                           query_string={"side": "buy", "amount": "0.5", "slippage_bps": slippage})
        html = reply.get_data(as_text=True)
        expected = re.search(r'name="expected" value="(\d+)"', html)
        minimum = re.search(r'data-testid="trade-minimum">([^<]+)<', html)
        assert expected and minimum, html
        assert minimum.group(1) == f"{units_text(int(expected.group(1)) * kept // 10_000, 6)} SPRK"
    no_limit = client.get(f"/tokens/{market.mint}/trade/preview", headers=HTMX,
                          query_string={"side": "buy", "amount": "0.5", "slippage_bps": "99999"})
    assert 'data-testid="trade-minimum"' not in no_limit.get_data(as_text=True)


def test_without_javascript_the_trade_form_explains_that_a_wallet_is_needed(market: Market, client) -> None:
    page = client.get(f"/tokens/{market.mint}").get_data(as_text=True)
    assert "<noscript>" in page and "wallet extension" in page
    form = re.search(r'<form id="trade-form"[^>]*>', page)
    assert form and 'method="get"' in form.group(0), page
    action = re.search(r'action="([^"]+)"', form.group(0))
    assert action and action.group(1) == f"/tokens/{market.mint}/trade"
    # what the browser does with the form without JavaScript
    reply = client.get(action.group(1), query_string={"side": "buy", "amount": "0.5", "slippage_bps": "100"})
    html = reply.get_data(as_text=True)
    assert reply.status_code == 200 and "Trading needs a wallet extension" in html, html
    assert "buy with 0.5 SOL" in html and "Phantom" in html
    assert client.get(f"/tokens/{'1' * 44}/trade").status_code == 404
