"""Buying and selling on a bonding curve through the pages, with the member's wallet signing."""
from __future__ import annotations

import base64
import re
from datetime import UTC, datetime, timedelta

from solders.hash import Hash
from solders.keypair import Keypair
from solders.message import MessageV0, to_bytes_versioned
from solders.pubkey import Pubkey
from solders.signature import Signature
from solders.transaction import VersionedTransaction
from sqlalchemy import select

from tests.conftest import landed_transaction
from tests.integration.trading.conftest import SOL, Market, wallet_signs
from webapp.chain import spl
from webapp.chain.classify import classify
from webapp.extensions import db
from webapp.models import BondingCurve, TradeOrder
from webapp.services.bonding_curve import CurveParams, CurveState, quote_buy
from webapp.services.trading.markets import VAULT_FLOAT_LAMPORTS


def place(client, auth, mint: str, **form: str):
    return client.post(f"/tokens/{mint}/trade", data={"slippage_bps": "100", **form, "csrf_token": auth.csrf_token()})


def transaction_in(html: str) -> tuple[str, str]:
    transaction = re.search(r'data-transaction="([^"]+)"', html)
    submit = re.search(r'data-submit-url="([^"]+)"', html)
    assert transaction and submit, html
    return transaction.group(1), submit.group(1)


def trade(client, auth, market: Market, keypair: Keypair, **form: str) -> str:
    reply = place(client, auth, market.mint, **form)
    assert reply.status_code == 200, reply.get_data(as_text=True)
    unsigned, submit_url = transaction_in(reply.get_data(as_text=True))
    result = client.post(submit_url, data={"signed": wallet_signs(keypair, unsigned), "csrf_token": auth.csrf_token()})
    assert result.status_code == 200, result.get_data(as_text=True)
    return result.get_data(as_text=True)


def _signed_by_stranger(unsigned: str) -> str:
    """Another key's signature in the member's slot."""
    transaction = VersionedTransaction.from_bytes(base64.b64decode(unsigned))
    signatures = list(transaction.signatures)
    signatures[0] = Keypair().sign_message(to_bytes_versioned(transaction.message))
    return base64.b64encode(bytes(VersionedTransaction.populate(transaction.message, signatures))).decode()


def _with_one_signature(signed: str) -> str:
    """The member's signature alone, the vault's slot dropped from the wire."""
    transaction = VersionedTransaction.from_bytes(base64.b64decode(signed))
    alone = VersionedTransaction.populate(transaction.message, transaction.signatures[:1])
    return base64.b64encode(bytes(alone)).decode()


def _changed(unsigned: str, keypair: Keypair) -> str:
    """The quoted transaction with another blockhash, signed by the member: not what was quoted."""
    message = VersionedTransaction.from_bytes(base64.b64decode(unsigned)).message
    other = MessageV0(message.header, list(message.account_keys), Hash.new_unique(), list(message.instructions), [])
    return wallet_signs(keypair, base64.b64encode(bytes(VersionedTransaction.populate(
        other, [Signature.default()] * message.header.num_required_signatures))).decode())


def _units_text(units: int) -> str:
    return f"{units // 10**6}.{units % 10**6:06d}"


def curve_row(market: Market) -> BondingCurve:
    with market.app.app_context():
        curve = db.session.scalar(select(BondingCurve).where(BondingCurve.mint == market.mint))
        assert curve is not None, f"no curve for {market.mint}"
        db.session.expunge(curve)
        return curve


def test_a_member_buys_then_sells_on_the_curve_atomically(market: Market, client, auth) -> None:
    _user, keypair = market.member(5 * SOL)
    auth.sign_in(keypair)
    vault = market.address("curve_1")
    assert market.lamports_of(vault) == VAULT_FLOAT_LAMPORTS

    preview = client.get(f"/tokens/{market.mint}/trade/preview", query_string={"side": "buy", "amount": "1"})
    expected = quote_buy(CurveState.initial(CurveParams.DEFAULT), CurveParams.DEFAULT, SOL)
    assert preview.status_code == 200
    assert f'name="expected" value="{expected.tokens_out}"' in preview.get_data(as_text=True)

    page = trade(client, auth, market, keypair, side="buy", amount="1", expected=str(expected.tokens_out),
                 expected_amount="1")
    assert "Bought" in page
    assert market.tokens_of(keypair.pubkey()) == expected.tokens_out
    assert market.lamports_of(vault) == VAULT_FLOAT_LAMPORTS + expected.lamports_charged
    curve = curve_row(market)
    assert int(curve.tokens_sold) == expected.tokens_out and int(curve.real_sol_reserves) == expected.cost_lamports
    assert int(curve.curve_fees_lamports) == expected.fee_lamports

    with market.app.app_context():
        order = db.session.scalar(select(TradeOrder).where(TradeOrder.side == "buy"))
        assert order is not None and order.signature is not None, "the buy was not sent"
        raw = landed_transaction(market.world.rpc, order.signature, encoding="jsonParsed")
    events = [e for e in classify(raw) if e.mint == market.mint]
    assert [(e.label, e.wallet, e.token_amount, e.sol_amount) for e in events] == [
        ("buy", str(keypair.pubkey()), expected.tokens_out, expected.lamports_charged)]

    # one base unit given away: selling everything bought is now beyond the wallet's balance
    rpc = market.world.rpc
    gift = spl.transfer(keypair.pubkey(), Pubkey.from_string(market.mint), Keypair().pubkey(), 1, 6)
    rpc.confirm(rpc.send_transaction(spl.sign(gift, keypair, rpc.get_latest_blockhash().blockhash)))
    too_many = place(client, auth, market.mint, side="sell", amount=_units_text(expected.tokens_out))
    assert too_many.status_code == 422 and "Your wallet holds" in too_many.get_data(as_text=True)
    half = expected.tokens_out // 2
    sold = trade(client, auth, market, keypair, side="sell", amount=_units_text(half))
    assert "Sold" in sold
    assert market.tokens_of(keypair.pubkey()) == expected.tokens_out - 1 - half
    with market.app.app_context():
        order = db.session.scalar(select(TradeOrder).where(TradeOrder.side == "sell"))
        assert order is not None and order.signature is not None, "the sell was not sent"
        raw = landed_transaction(market.world.rpc, order.signature, encoding="jsonParsed")
        assert [(e.label, e.wallet, e.token_amount, e.sol_amount) for e in classify(raw) if e.mint == market.mint] == [
            ("sell", str(keypair.pubkey()), half, order.member_lamports)]
    curve = curve_row(market)
    assert int(curve.tokens_sold) == expected.tokens_out - half
    assert market.lamports_of(vault) == \
        VAULT_FLOAT_LAMPORTS + int(curve.real_sol_reserves) + int(curve.curve_fees_lamports)


def test_bad_trades_are_refused_and_move_nothing(market: Market, client, auth, make_user) -> None:
    _user, keypair = market.member(1 * SOL)
    vault = market.address("curve_1")
    assert place(client, auth, market.mint, side="buy", amount="1").status_code in (401, 302)  # signed out
    auth.sign_in(keypair)
    cases = {"0": "above zero", "-1": "above zero", "abc": "must be a number", "0.0000000001": "decimals"}
    for amount, words in cases.items():
        reply = place(client, auth, market.mint, side="buy", amount=amount)
        assert reply.status_code == 422 and words in reply.get_data(as_text=True), (
            amount, reply.get_data(as_text=True))
    for amount in ("1e999999999", "1e30"):  # exponents beyond reason: a clear refusal, for visitors too
        preview = client.get(f"/tokens/{market.mint}/trade/preview", query_string={"side": "buy", "amount": amount})
        assert preview.status_code == 422 and "too large" in preview.get_data(as_text=True)
    assert place(client, auth, market.mint, side="buy", amount="5").status_code == 422  # beyond the wallet's SOL
    unsold = place(client, auth, market.mint, side="sell", amount="10")
    assert "have been sold on this curve" in unsold.get_data(as_text=True)
    assert place(client, auth, "So11111111111111111111111111111111111111112", side="buy", amount="1").status_code == 404
    assert place(client, auth, market.mint, side="hold", amount="1").status_code == 400
    slipped = place(client, auth, market.mint, side="buy", amount="0.1", expected=str(10**15), expected_amount="0.1")
    assert slipped.status_code == 409 and "slippage" in slipped.get_data(as_text=True)

    # a wallet that changes the transaction, or does not sign it, gets nothing sent
    reply = place(client, auth, market.mint, side="buy", amount="0.1")
    unsigned, submit_url = transaction_in(reply.get_data(as_text=True))
    stranger = client.post(submit_url, data={"signed": _signed_by_stranger(unsigned), "csrf_token": auth.csrf_token()})
    assert stranger.status_code == 400 and "not signed by your wallet" in stranger.get_data(as_text=True)
    changed = client.post(submit_url, data={"signed": _changed(unsigned, keypair), "csrf_token": auth.csrf_token()})
    assert changed.status_code == 400 and "changed the transaction" in changed.get_data(as_text=True)
    assert client.post(submit_url, data={"signed": "not base64!", "csrf_token": auth.csrf_token()}).status_code == 400
    short = client.post(submit_url, data={"signed": _with_one_signature(wallet_signs(keypair, unsigned)),
                                          "csrf_token": auth.csrf_token()})
    assert short.status_code == 400 and "number of signatures" in short.get_data(as_text=True)

    # a quote left unsigned past its time is stale: refused, and the market is free again
    with market.app.app_context():
        order = db.session.scalar(select(TradeOrder).order_by(TradeOrder.id.desc()))
        assert order is not None, "no quote was recorded"
        order.expires_at = datetime.now(UTC) - timedelta(seconds=1)
        db.session.commit()
    stale = client.post(submit_url, data={"signed": wallet_signs(keypair, unsigned), "csrf_token": auth.csrf_token()})
    assert stale.status_code == 409 and "expired" in stale.get_data(as_text=True)
    assert market.tokens_of(keypair.pubkey()) == 0 and market.lamports_of(vault) == VAULT_FLOAT_LAMPORTS
    curve = curve_row(market)
    assert int(curve.tokens_sold) == 0 and int(curve.real_sol_reserves) == 0


def test_another_members_live_quote_blocks_no_one(market: Market, client, auth) -> None:
    first, first_keys = market.member()
    auth.sign_in(first_keys)
    held = place(client, auth, market.mint, side="buy", amount="0.2")
    assert held.status_code == 200 and "Firm until" in held.get_data(as_text=True)
    client.post("/auth/logout", data={"csrf_token": auth.csrf_token()})
    _second, second_keys = market.member()
    auth.sign_in(second_keys)
    page = trade(client, auth, market, second_keys, side="buy", amount="0.2")  # no wait for the first to decide
    assert "Bought" in page and market.tokens_of(second_keys.pubkey()) > 0
    with market.app.app_context():
        order = db.session.scalar(select(TradeOrder).where(TradeOrder.user_id == first.id))
        assert order is not None and order.status == "awaiting_signature", "the first member's quote was dropped"


def test_demo_traders_trade_through_the_members_path(market: Market) -> None:
    import random

    from webapp.services.trading import demo_trader

    with market.app.app_context():
        rng = random.Random(7)
        filled = [demo_trader.random_trade(market.world.rpc, rng) for _ in range(4)]
        confirmed = [order for order in filled if order is not None]
        assert confirmed and all(order.venue == "curve" for order in confirmed)
        curve = db.session.scalar(select(BondingCurve).where(BondingCurve.mint == market.mint))
        assert curve is not None
        bought = sum(int(o.token_amount) for o in confirmed if o.side == "buy")
        sold = sum(int(o.token_amount) for o in confirmed if o.side == "sell")
        assert int(curve.tokens_sold) == bought - sold


def test_a_trade_the_chain_refuses_moves_nothing_and_frees_the_market(market: Market, client, auth) -> None:
    from solders.system_program import TransferParams, transfer

    _user, keypair = market.member(2 * SOL)
    auth.sign_in(keypair)
    reply = place(client, auth, market.mint, side="buy", amount="1")
    unsigned, submit_url = transaction_in(reply.get_data(as_text=True))
    # the member spends their SOL elsewhere before their wallet's signature reaches us
    rpc = market.world.rpc
    drain = transfer(TransferParams(from_pubkey=keypair.pubkey(), to_pubkey=Keypair().pubkey(),
                                    lamports=rpc.get_balance(keypair.pubkey()) - 1_000_000))
    rpc.confirm(rpc.send_transaction(spl.sign([drain], keypair, rpc.get_latest_blockhash().blockhash)))
    refused = client.post(submit_url, data={"signed": wallet_signs(keypair, unsigned), "csrf_token": auth.csrf_token()})
    assert refused.status_code == 409 and "Nothing moved" in refused.get_data(as_text=True)
    assert market.tokens_of(keypair.pubkey()) == 0
    assert market.lamports_of(market.address("curve_1")) == VAULT_FLOAT_LAMPORTS
    curve = curve_row(market)
    assert int(curve.tokens_sold) == 0 and int(curve.real_sol_reserves) == 0
    with market.app.app_context():
        assert db.session.scalar(select(TradeOrder.status)) == "failed"
    # the market is free again for the next member
    auth.sign_in(market.member()[1])
    assert place(client, auth, market.mint, side="buy", amount="0.1").status_code == 200
