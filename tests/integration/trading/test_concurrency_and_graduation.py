"""Ten buyers at once on one curve, then a buy-out that graduates the curve into a pool."""
from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

from solders.keypair import Keypair
from sqlalchemy import select

from tests.conftest import get_row
from tests.integration.trading.conftest import SOL, Market, wallet_signs
from webapp.extensions import db
from webapp.models import BondingCurve, OrderStatus, TradeOrder, User
from webapp.services.bonding_curve import CurveParams, CurveState, quote_buy
from webapp.services.trading import graduation, orders
from webapp.services.trading.markets import VAULT_FLOAT_LAMPORTS, TradeError


def buy(market: Market, user: User, keypair: Keypair, lamports: int, side: str = "buy") -> TradeOrder:
    """Quote, sign as the member's wallet, submit; a busy market is retried as a member would."""
    with market.app.app_context():
        user = db.session.merge(user)
        for _ in range(600):
            try:
                placed = orders.place_order(user, market.mint, side, lamports, slippage_bps=100, expected=None,
                                            client=market.world.rpc)
            except TradeError as error:
                if error.status != 409:
                    raise
                time.sleep(0.02)
                continue
            order = orders.submit_order(user, placed.order.id, wallet_signs(keypair, placed.transaction),
                                        market.world.rpc)
            assert order.status == OrderStatus.CONFIRMED.value, order.error
            db.session.expunge(order)
            return order
    raise AssertionError("the market stayed busy")


def _settled_at(order: TradeOrder) -> datetime:
    assert order.settled_at is not None, f"order {order.id} is confirmed but not settled"
    return order.settled_at


def test_ten_concurrent_buyers_settle_exactly(market: Market) -> None:
    buyers = [market.member(2 * SOL) for _ in range(10)]
    spends = [(index + 1) * SOL // 20 for index in range(10)]  # 0.05 … 0.5 SOL
    before = {str(k.pubkey()): market.lamports_of(k.pubkey()) for _, k in buyers}
    with ThreadPoolExecutor(max_workers=10) as pool:
        filled = list(pool.map(lambda buyer, spend: buy(market, buyer[0], buyer[1], spend), buyers, spends))

    # replaying the confirmed orders in the order they settled gives the curve's state exactly
    state, params = CurveState.initial(CurveParams.DEFAULT), CurveParams.DEFAULT
    for order in sorted(filled, key=_settled_at):
        quote = quote_buy(state, params, spends[[str(k.pubkey()) for _, k in buyers].index(order.wallet)])
        assert (quote.tokens_out, quote.lamports_charged) == (int(order.token_amount), order.member_lamports)
        state = quote.new_state
    with market.app.app_context():
        curve = db.session.scalar(select(BondingCurve).where(BondingCurve.mint == market.mint))
        assert curve is not None
        assert (int(curve.tokens_sold), int(curve.real_sol_reserves)) == (state.tokens_sold, state.real_sol_reserves)
        fees = int(curve.curve_fees_lamports)
    vault = market.address("curve_1")
    assert market.tokens_of(vault) == CurveParams.DEFAULT.total_supply - state.tokens_sold
    assert market.lamports_of(vault) == VAULT_FLOAT_LAMPORTS + state.real_sol_reserves + fees
    for order in filled:  # each paid exactly its quote plus the network fee and its token account's rent
        assert market.tokens_of(order.wallet) == int(order.token_amount)
        spent = before[order.wallet] - market.lamports_of(order.wallet)
        assert spent == order.member_lamports + orders.NETWORK_FEE_LAMPORTS + orders.TOKEN_ACCOUNT_RENT


def test_buying_out_the_curve_graduates_it_into_a_pool(market: Market, client) -> None:
    whale, whale_keys = market.member(100 * SOL)
    treasury = market.address("treasury")
    treasury_before = market.lamports_of(treasury)
    order = buy(market, whale, whale_keys, 95 * SOL)  # more than the curve needs: only the rest is charged
    params = CurveParams.DEFAULT
    assert int(order.token_amount) == params.sellable_tokens
    with market.app.app_context():
        curve = db.session.scalar(select(BondingCurve).where(BondingCurve.mint == market.mint))
        assert curve is not None
        assert curve.phase == "graduating"
        raised, fees = int(curve.real_sol_reserves), int(curve.curve_fees_lamports)
        refused = client.get(f"/tokens/{market.mint}/trade/preview", query_string={"side": "buy", "amount": "1"})
        assert refused.status_code == 409 and "pool is opening" in refused.get_data(as_text=True)
        # the job sends the graduation, then dies before it records the pool …
        sent = graduation._send_graduation(market.mint, market.world.rpc)
        assert sent is not None, "the graduation was not sent"
        signature, last_valid = sent
        market.world.rpc.confirm(signature, last_valid_block_height=last_valid)
        # … and the sweep finds it in the chain's history and opens the pool without sending it again
        assert graduation.graduate_waiting(market.world.rpc) == [signature]
        assert graduation.graduate(market.mint, market.world.rpc) == signature  # once only
    pool = market.address("pool_1")
    assert market.tokens_of(pool) == params.reserved_tokens
    assert market.lamports_of(pool) == raised - params.graduation_fee_lamports
    assert market.lamports_of(treasury) - treasury_before == params.graduation_fee_lamports + fees
    assert market.tokens_of(market.address("curve_1")) == 0
    assert len(market.world.rpc.get_signatures_for_address(pool)) == 1  # one graduation, nothing else

    page = client.get(f"/tokens/{market.mint}").get_data(as_text=True)
    assert "Graduated" in page and signature[:4] in page and "Trade in the pool" in page and "Pool SOL" in page
    assert "SPRK" in client.get("/tokens/?graduated=yes").get_data(as_text=True)
    assert "SPRK" not in client.get("/tokens/?graduated=no").get_data(as_text=True)

    # trading continues in the pool: a small buy, then the whale sells some back
    small, small_keys = market.member(2 * SOL)
    pool_buy = buy(market, small, small_keys, SOL // 2)
    assert pool_buy.venue == "pool" and market.tokens_of(small_keys.pubkey()) == int(pool_buy.token_amount)
    sold = buy(market, whale, whale_keys, 10**12, side="sell")
    assert sold.venue == "pool"
    with market.app.app_context():
        curve = db.session.scalar(select(BondingCurve).where(BondingCurve.mint == market.mint))
        assert curve is not None and curve.pool_token_reserves is not None and curve.pool_sol_reserves is not None
        assert market.tokens_of(pool) == int(curve.pool_token_reserves)
        assert market.lamports_of(pool) == int(curve.pool_sol_reserves) + int(curve.pool_fees_lamports)
        assert int(curve.pool_sol_reserves) * int(curve.pool_token_reserves) >= \
            (raised - params.graduation_fee_lamports) * params.reserved_tokens


def test_the_sweep_settles_a_trade_whose_request_ended_before_it_landed(market: Market) -> None:
    import base64

    from solders.message import to_bytes_versioned
    from solders.transaction import VersionedTransaction

    from webapp.services import platform_wallets

    buyer, keys = market.member(2 * SOL)
    with market.app.app_context():
        user = db.session.merge(buyer)
        placed = orders.place_order(user, market.mint, "buy", SOL // 10, slippage_bps=100, expected=None,
                                    client=market.world.rpc)
        # what submit_order does up to sending, as if the web process died right after
        signed = VersionedTransaction.from_bytes(base64.b64decode(wallet_signs(keys, placed.transaction)))
        vault = platform_wallets.keystore().keypair("curve_1")
        signatures = list(signed.signatures)
        signatures[1] = vault.sign_message(to_bytes_versioned(signed.message))
        order = get_row(TradeOrder, placed.order.id)
        order.signature, order.status = str(signatures[0]), "sent"
        db.session.commit()
        market.world.rpc.confirm(market.world.rpc.send_transaction(
            VersionedTransaction.populate(signed.message, signatures)))
        # a quote left unsigned on another market would be expired by the same sweep
        assert orders.settle_open_orders(market.world.rpc) == 1
        order = get_row(TradeOrder, placed.order.id)
        curve = db.session.scalar(select(BondingCurve).where(BondingCurve.mint == market.mint))
        assert curve is not None
        assert order.status == "confirmed" and int(curve.tokens_sold) == int(order.token_amount)
    assert market.tokens_of(keys.pubkey()) == int(order.token_amount)
