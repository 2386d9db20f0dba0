"""A buy-out that graduates the curve into a pool, and the sweep settling what requests left behind."""
from __future__ import annotations

from solders.keypair import Keypair
from sqlalchemy import select

from tests.conftest import get_row
from tests.integration.trading.conftest import SOL, Market, sign_until_landed, wallet_signs
from webapp.extensions import db
from webapp.models import BondingCurve, TradeOrder, User
from webapp.services.bonding_curve import CurveParams
from webapp.services.trading import graduation, orders
from webapp.services.trading.markets import VAULT_FLOAT_LAMPORTS


def buy(market: Market, user: User, keypair: Keypair, lamports: int, side: str = "buy") -> TradeOrder:
    """Quote, sign as the member's wallet, submit (signing a new quote when the price moved)."""
    with market.app.app_context():
        user = db.session.merge(user)
        placed = orders.place_order(user, market.mint, side, lamports, slippage_bps=100, expected=None,
                                    client=market.world.rpc)
        return sign_until_landed(user, keypair, placed, market.world.rpc)


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


def test_the_sweep_settles_every_trade_requests_left_behind_once(market: Market) -> None:
    import base64
    from datetime import UTC, datetime, timedelta

    from solders.message import to_bytes_versioned
    from solders.transaction import VersionedTransaction

    from webapp.services import platform_wallets

    rpc = market.world.rpc
    buyers = [market.member(2 * SOL) for _ in range(3)]
    with market.app.app_context():
        placed = [orders.place_order(db.session.merge(user), market.mint, "buy", SOL // 10 * (i + 1), slippage_bps=100,
                                     expected=None, client=rpc) for i, (user, _keys) in enumerate(buyers)]
        vault = platform_wallets.keystore().keypair("curve_1")
        for (_user, keys), quote in zip(buyers[:2], placed[:2], strict=True):
            # what submit_order does up to sending, as if the web process died right after: two on one mint
            signed = VersionedTransaction.from_bytes(base64.b64decode(wallet_signs(keys, quote.transaction)))
            signatures = list(signed.signatures)
            signatures[1] = vault.sign_message(to_bytes_versioned(signed.message))
            order = get_row(TradeOrder, quote.order.id)
            order.signature, order.status = str(signatures[0]), "sent"
            db.session.commit()
            rpc.confirm(rpc.send_transaction(VersionedTransaction.populate(signed.message, signatures)))
        # the third member walked away from their quote
        abandoned = get_row(TradeOrder, placed[2].order.id)
        abandoned.expires_at = datetime.now(UTC) - timedelta(seconds=1)
        db.session.commit()
        assert orders.settle_open_orders(rpc) == 3
        assert orders.settle_open_orders(rpc) == 0  # nothing is settled, or applied to the reserves, twice
        settled = [get_row(TradeOrder, quote.order.id) for quote in placed]
        assert [order.status for order in settled] == ["confirmed", "confirmed", "expired"]
        curve = db.session.scalar(select(BondingCurve).where(BondingCurve.mint == market.mint))
        assert curve is not None
        assert int(curve.tokens_sold) == sum(int(order.token_amount) for order in settled[:2])
        fees = int(curve.curve_fees_lamports)
        assert fees == sum(int(order.fee_lamports) for order in settled[:2])
        raised = int(curve.real_sol_reserves)
    for (_user, keys), order in zip(buyers, settled, strict=True):
        assert market.tokens_of(keys.pubkey()) == (int(order.token_amount) if order.status == "confirmed" else 0)
    vault_address = market.address("curve_1")
    assert market.tokens_of(vault_address) == CurveParams.DEFAULT.total_supply - int(curve.tokens_sold)
    assert market.lamports_of(vault_address) == VAULT_FLOAT_LAMPORTS + raised + fees
