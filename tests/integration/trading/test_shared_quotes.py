"""Many members hold quotes on one token at once; a signed quote lands within its slippage or gets a new one."""
from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

from solders.keypair import Keypair
from sqlalchemy import func, select

from tests.conftest import get_row
from tests.integration.trading.conftest import SOL, Market, sign_until_landed, wallet_signs
from webapp.extensions import db
from webapp.models import BondingCurve, OrderStatus, TradeOrder, User
from webapp.services.bonding_curve import CurveParams, CurveState, quote_sell
from webapp.services.indexer import backfill, reconcile
from webapp.services.trading import orders
from webapp.services.trading.markets import VAULT_FLOAT_LAMPORTS, TradeError


def quote(market: Market, user: User, lamports: int, slippage_bps: int = 100, side: str = "buy") -> orders.PlacedOrder:
    with market.app.app_context():
        placed = orders.place_order(db.session.merge(user), market.mint, side, lamports, slippage_bps=slippage_bps,
                                    expected=None, client=market.world.rpc)
        db.session.expunge(placed.order)
        return placed


def land(market: Market, user: User, keypair: Keypair, placed: orders.PlacedOrder) -> TradeOrder:
    with market.app.app_context():
        return sign_until_landed(db.session.merge(user), keypair, placed, market.world.rpc)


def curve_row(market: Market) -> BondingCurve:
    with market.app.app_context():
        curve = db.session.scalar(select(BondingCurve).where(BondingCurve.mint == market.mint))
        assert curve is not None
        db.session.expunge(curve)
        return curve


def assert_market_matches_chain(market: Market) -> BondingCurve:
    """The curve row is what the vault holds, and sits on the curve: every seller can still be paid."""
    curve = curve_row(market)
    vault = market.address("curve_1")
    assert market.tokens_of(vault) == CurveParams.DEFAULT.total_supply - int(curve.tokens_sold)
    assert market.lamports_of(vault) == \
        VAULT_FLOAT_LAMPORTS + int(curve.real_sol_reserves) + int(curve.curve_fees_lamports)
    assert int(curve.virtual_sol_reserves) - CurveParams.DEFAULT.virtual_sol == int(curve.real_sol_reserves)
    state = CurveState(int(curve.virtual_sol_reserves), int(curve.virtual_token_reserves),
                       int(curve.real_sol_reserves), int(curve.real_token_reserves), int(curve.tokens_sold))
    if state.tokens_sold:
        assert quote_sell(state, CurveParams.DEFAULT, state.tokens_sold).proceeds_lamports <= state.real_sol_reserves
    return curve


def test_ten_wallets_quote_at_once_then_a_burst_lands_and_reconciles(market: Market) -> None:
    members = [market.member(2 * SOL) for _ in range(10)]
    spends = [(index + 1) * SOL // 20 for index in range(10)]  # 0.05 … 0.5 SOL
    before = {str(k.pubkey()): market.lamports_of(k.pubkey()) for _, k in members}
    with ThreadPoolExecutor(max_workers=10) as pool:  # no one gets "another trade is being signed"
        quotes = list(pool.map(lambda member, spend: quote(market, member[0], spend), members, spends))
    with market.app.app_context():
        live = db.session.scalar(select(func.count()).select_from(TradeOrder).where(
            TradeOrder.mint == market.mint, TradeOrder.status == OrderStatus.AWAITING_SIGNATURE.value))
    assert live == 10
    # every one of them priced on the untouched curve
    assert len({q.order.state_after["curve"]["real_sol_reserves"] - q.order.venue_lamports for q in quotes}) == 1

    with ThreadPoolExecutor(max_workers=10) as pool:  # ten submits racing for the market's lock
        filled = list(pool.map(lambda member, placed: land(market, member[0], member[1], placed), members, quotes))

    curve = assert_market_matches_chain(market)
    assert int(curve.tokens_sold) == sum(int(order.token_amount) for order in filled)
    assert int(curve.curve_fees_lamports) == sum(int(order.fee_lamports) for order in filled)
    for order in filled:  # each paid exactly what it signed, plus the network fee and its token account's rent
        assert market.tokens_of(order.wallet) == int(order.token_amount)
        spent = before[order.wallet] - market.lamports_of(order.wallet)
        assert spent == order.member_lamports + orders.NETWORK_FEE_LAMPORTS + orders.TOKEN_ACCOUNT_RENT
    with market.app.app_context():
        backfill.index_now(market.world.rpc, [backfill.FollowedAddress(market.mint, "mint")])
        run = reconcile.reconcile(market.world.rpc, market.mint, recheck_pause=0)
        assert run.error is None and run.accounts_checked >= 11 and run.mismatches == 0


def test_a_quote_signed_after_the_market_moved_within_its_slippage_lands_as_signed(market: Market) -> None:
    patient, patient_keys = market.member(3 * SOL)
    quick, quick_keys = market.member(3 * SOL)
    waiting = quote(market, patient, SOL // 2, slippage_bps=500)
    # the price rises a little meanwhile (about 0.3 %, less than the 1 % fee the quote leaves the curve)
    moved = land(market, quick, quick_keys, quote(market, quick, SOL // 20))
    assert moved.id != waiting.order.id
    lamports_before = market.lamports_of(patient_keys.pubkey())
    with market.app.app_context():
        order = orders.submit_order(db.session.merge(patient), waiting.order.id,
                                    wallet_signs(patient_keys, waiting.transaction), market.world.rpc)
        assert order.status == OrderStatus.CONFIRMED.value, order.error
        # landed at the signed amounts; the fee took the gap to the moved price
        assert (int(order.token_amount), int(order.member_lamports)) == \
            (int(waiting.order.token_amount), int(waiting.order.member_lamports))
        assert int(order.fee_lamports) < int(waiting.order.fee_lamports)
    assert market.tokens_of(patient_keys.pubkey()) == int(waiting.order.token_amount)
    assert lamports_before - market.lamports_of(patient_keys.pubkey()) == \
        int(waiting.order.member_lamports) + orders.NETWORK_FEE_LAMPORTS + orders.TOKEN_ACCOUNT_RENT
    assert_market_matches_chain(market)


def test_a_quote_is_never_signed_at_a_price_the_venue_has_moved_past_even_inside_the_slippage(market: Market) -> None:
    """Quote a buy, push the price up with a second wallet's buy, sign the first: never below the curve's price."""
    schemer, schemer_keys = market.member(3 * SOL)
    accomplice, accomplice_keys = market.member(3 * SOL)
    first = quote(market, schemer, SOL // 2, slippage_bps=orders.MAX_SLIPPAGE_BPS)
    # about 3 % up: inside the 10 % slippage, well past the 1 % fee
    land(market, accomplice, accomplice_keys, quote(market, accomplice, SOL // 2))
    tokens_before = market.tokens_of(schemer_keys.pubkey())
    with market.app.app_context():
        try:
            orders.submit_order(db.session.merge(schemer), first.order.id,
                                wallet_signs(schemer_keys, first.transaction), market.world.rpc)
        except orders.PriceMoved as moved:
            assert "more than the fee" in str(moved)
            assert int(moved.placed.order.token_amount) < int(first.order.token_amount)
        else:
            raise AssertionError("a quote priced below the curve's current price was co-signed")
        refused = get_row(TradeOrder, first.order.id)
        assert refused.status == OrderStatus.EXPIRED.value and refused.signature is None
    assert market.tokens_of(schemer_keys.pubkey()) == tokens_before  # nothing moved
    curve = assert_market_matches_chain(market)
    assert int(curve.curve_fees_lamports) >= 0


def test_a_quote_the_market_moved_past_is_refused_with_a_new_quote(market: Market, client, auth) -> None:
    _patient, patient_keys = market.member(3 * SOL)
    whale, whale_keys = market.member(30 * SOL)
    auth.sign_in(patient_keys)
    reply = client.post(f"/tokens/{market.mint}/trade", data={
        "side": "buy", "amount": "0.5", "slippage_bps": "50", "csrf_token": auth.csrf_token()})
    assert reply.status_code == 200, reply.get_data(as_text=True)
    first = reply.get_data(as_text=True)
    unsigned = re.search(r'data-transaction="([^"]+)"', first)
    submit_url = re.search(r'data-submit-url="([^"]+)"', first)
    assert unsigned and submit_url
    land(market, whale, whale_keys, quote(market, whale, 10 * SOL))  # the price jumps well past 0.5 %
    curve_before, sol_before = curve_row(market), market.lamports_of(patient_keys.pubkey())

    refused = client.post(submit_url.group(1), data={"signed": wallet_signs(patient_keys, unsigned.group(1)),
                                                     "csrf_token": auth.csrf_token()})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 409 and "The price moved" in html and "Here is a new quote" in html
    assert "Sign with your wallet" in html and " SOL" in html and "SPRK" in html
    text = re.sub(r"<[^>]*>", " ", html)  # what the member reads: no run of base units (decimals are fine)
    assert not re.search(r"(?<![\d.,])\d{8,}", text), text
    # nothing moved: not the member's balances on chain, not the curve
    assert market.tokens_of(patient_keys.pubkey()) == 0
    assert market.lamports_of(patient_keys.pubkey()) == sol_before
    curve_after = curve_row(market)
    assert (int(curve_after.tokens_sold), int(curve_after.real_sol_reserves)) == \
        (int(curve_before.tokens_sold), int(curve_before.real_sol_reserves))
    with market.app.app_context():
        statuses = db.session.execute(select(TradeOrder.status, TradeOrder.token_amount).where(
            TradeOrder.wallet == str(patient_keys.pubkey())).order_by(TradeOrder.id)).all()
    assert [status for status, _ in statuses] == ["expired", "awaiting_signature"]
    assert int(statuses[1][1]) < int(statuses[0][1])  # the same SOL buys fewer tokens now

    new_unsigned = re.search(r'data-transaction="([^"]+)"', html)
    new_submit = re.search(r'data-submit-url="([^"]+)"', html)
    assert new_unsigned and new_submit and new_submit.group(1) != submit_url.group(1)
    signed = client.post(new_submit.group(1), data={"signed": wallet_signs(patient_keys, new_unsigned.group(1)),
                                                    "csrf_token": auth.csrf_token()})
    assert signed.status_code == 200 and "Bought" in signed.get_data(as_text=True)
    assert market.tokens_of(patient_keys.pubkey()) == int(statuses[1][1])
    assert_market_matches_chain(market)


def test_an_abandoned_quote_blocks_nobody_and_is_refused_once_expired(market: Market) -> None:
    walker, walker_keys = market.member(2 * SOL)
    trader, trader_keys = market.member(2 * SOL)
    abandoned = quote(market, walker, SOL // 2)
    filled = land(market, trader, trader_keys, quote(market, trader, SOL // 2))  # straight through, no 409
    assert market.tokens_of(trader_keys.pubkey()) == int(filled.token_amount)
    with market.app.app_context():
        # a second quote of the walker's replaces their first; the sweep later expires what is left
        again = orders.place_order(db.session.merge(walker), market.mint, "buy", SOL // 4, slippage_bps=100,
                                   expected=None, client=market.world.rpc)
        assert get_row(TradeOrder, abandoned.order.id).status == OrderStatus.EXPIRED.value
        stale = get_row(TradeOrder, again.order.id)
        stale.expires_at = datetime.now(UTC) - timedelta(seconds=1)
        db.session.commit()
        try:  # signed too late: refused at submit with a fresh quote, nothing sent
            orders.submit_order(db.session.merge(walker), again.order.id, wallet_signs(walker_keys, again.transaction),
                                market.world.rpc)
            raise AssertionError("an expired quote was sent")
        except orders.PriceMoved as moved:
            assert "expired" in str(moved) and moved.placed.order.id != again.order.id
            assert moved.placed.seconds_left > 30
        assert get_row(TradeOrder, again.order.id).status == OrderStatus.EXPIRED.value
    assert market.tokens_of(walker_keys.pubkey()) == 0
    assert_market_matches_chain(market)


def test_two_sends_racing_for_the_last_tokens_sell_out_the_curve_once(market: Market) -> None:
    whales = [market.member(100 * SOL) for _ in range(2)]
    quotes = [quote(market, user, 95 * SOL) for user, _keys in whales]  # each asks for every token left
    assert all(int(q.order.token_amount) == CurveParams.DEFAULT.sellable_tokens for q in quotes)

    def submit(whale: tuple[User, Keypair], placed: orders.PlacedOrder) -> str:
        with market.app.app_context():
            try:
                order = orders.submit_order(db.session.merge(whale[0]), placed.order.id,
                                            wallet_signs(whale[1], placed.transaction), market.world.rpc)
            except TradeError as error:
                # refused while the winner is in flight ("last tokens") or after it landed (the tokens are gone)
                assert error.status == 409 and any(reason in str(error) for reason in (
                    "sold out", "last tokens", "other trades took the tokens")), str(error)
                return "refused"
            return order.status

    with ThreadPoolExecutor(max_workers=2) as pool:
        outcomes = list(pool.map(submit, whales, quotes))
    assert sorted(outcomes) == ["confirmed", "refused"]
    winner, loser = (whales[0], whales[1]) if outcomes[0] == "confirmed" else (whales[1], whales[0])
    assert market.tokens_of(winner[1].pubkey()) == CurveParams.DEFAULT.sellable_tokens
    assert market.tokens_of(loser[1].pubkey()) == 0
    curve = curve_row(market)
    assert curve.phase == "graduating" and int(curve.real_token_reserves) == 0
    assert market.tokens_of(market.address("curve_1")) == CurveParams.DEFAULT.reserved_tokens
