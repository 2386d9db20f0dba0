"""The Tier 1 bonding curve: exact integer pricing that always rounds in the curve's favour."""
from __future__ import annotations

from dataclasses import replace
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from webapp.services import bonding_curve as bc
from webapp.services.bonding_curve import CurveError, CurveParams, CurveState

DEFAULT = CurveParams.DEFAULT
SOL = 10**9
TOKEN = 10**6
NO_FEE = replace(DEFAULT, fee_bps=0)

# Computed by the code: ceil(30e9 * 793.1e15 / 279.9e15) lamports, before fees.
BUYOUT_COST = 85_005_359_057
BUYOUT_FEE = 850_053_591


def fresh(params: CurveParams = DEFAULT) -> CurveState:
    return CurveState.initial(params)


def test_default_parameters_are_the_launchpad_ones() -> None:
    assert DEFAULT.total_supply == 10**15
    assert DEFAULT.virtual_sol == 30 * SOL
    assert DEFAULT.virtual_tokens == 1_073_000_000 * TOKEN
    assert DEFAULT.sellable_tokens == 793_100_000 * TOKEN
    assert DEFAULT.reserved_tokens == 206_900_000 * TOKEN
    assert DEFAULT.fee_bps == 100


def test_buying_out_the_default_curve_costs_about_85_sol() -> None:
    quote = bc.quote_buy_exact_tokens(fresh(), DEFAULT, DEFAULT.sellable_tokens)
    assert quote.cost_lamports == BUYOUT_COST
    assert 84 * SOL < quote.cost_lamports < 86 * SOL
    assert quote.fee_lamports == BUYOUT_FEE
    assert quote.lamports_charged == BUYOUT_COST + BUYOUT_FEE
    assert quote.new_state.complete
    assert quote.new_state.real_token_reserves == 0
    assert quote.new_state.real_sol_reserves == BUYOUT_COST
    assert DEFAULT.minimum_raise_lamports == BUYOUT_COST


def test_one_sol_buy_takes_the_fee_from_the_sol_in() -> None:
    quote = bc.quote_buy(fresh(), DEFAULT, 1 * SOL)
    assert quote.cost_lamports == 990_099_009
    assert quote.fee_lamports == 9_900_991  # ceil(1% of the cost)
    assert quote.lamports_charged == 1 * SOL and quote.unused_lamports == 0
    assert quote.tokens_out == 34_281_150_129_545  # floor(1.073e15 * cost / (30e9 + cost))
    assert quote.new_state.virtual_sol_reserves == 30 * SOL + 990_099_009


def test_a_buy_past_the_sellable_tokens_is_capped_and_charges_only_what_they_cost() -> None:
    quote = bc.quote_buy(fresh(), DEFAULT, 100 * SOL)
    assert quote.tokens_out == DEFAULT.sellable_tokens
    assert quote.lamports_charged == BUYOUT_COST + BUYOUT_FEE
    assert quote.unused_lamports == 100 * SOL - (BUYOUT_COST + BUYOUT_FEE)
    assert quote.new_state.complete


def test_initial_price_and_market_cap() -> None:
    state = fresh()
    assert bc.price_lamports_per_token_unit(state) == Fraction(30 * SOL, 1_073_000_000 * TOKEN)
    assert bc.market_cap_lamports(state, DEFAULT) == 27_958_993_476  # about 28 SOL
    done = bc.quote_buy_exact_tokens(state, DEFAULT, DEFAULT.sellable_tokens).new_state
    assert bc.market_cap_lamports(done, DEFAULT) == 410_880_168_120


def test_progress_from_start_to_sell_out() -> None:
    assert bc.progress(fresh(), DEFAULT) == bc.Progress(0, BUYOUT_COST, 0)
    half = bc.quote_buy_exact_tokens(fresh(), DEFAULT, DEFAULT.sellable_tokens // 2).new_state
    midway = bc.progress(half, DEFAULT)
    assert midway.sold_bps == 5000
    assert midway.raised_lamports == half.real_sol_reserves
    # Two rounded-up halves cost a couple of lamports more than one buy-out, never less.
    assert midway.raised_lamports + midway.remaining_lamports == BUYOUT_COST + 2
    done = bc.quote_buy_exact_tokens(half, DEFAULT, half.real_token_reserves).new_state
    assert bc.progress(done, DEFAULT) == bc.Progress(done.real_sol_reserves, 0, 10_000)


def test_graduation_seeds_the_pool_with_raised_sol_minus_the_fee() -> None:
    with pytest.raises(CurveError, match="not sold out"):
        bc.graduation(fresh(), DEFAULT)
    done = bc.quote_buy(fresh(), DEFAULT, 90 * SOL).new_state
    result = bc.graduation(done, DEFAULT)
    assert result.pool_lamports == BUYOUT_COST - DEFAULT.graduation_fee_lamports
    assert result.pool_lamports + result.graduation_fee_lamports == done.real_sol_reserves
    assert result.pool_tokens == 206_900_000 * TOKEN


@pytest.mark.parametrize("amount", [0, -1])
def test_non_positive_trades_are_refused(amount: int) -> None:
    state = bc.quote_buy(fresh(), DEFAULT, SOL).new_state
    with pytest.raises(CurveError, match="positive"):
        bc.quote_buy(state, DEFAULT, amount)
    with pytest.raises(CurveError, match="at least"):
        bc.quote_sell(state, DEFAULT, amount)
    with pytest.raises(CurveError, match="at least"):
        bc.quote_buy_exact_tokens(state, DEFAULT, amount)


def test_refusals_say_why() -> None:
    state = bc.quote_buy(fresh(), DEFAULT, SOL).new_state
    with pytest.raises(CurveError, match="have been sold"):
        bc.quote_sell(state, DEFAULT, state.tokens_sold + 1)
    with pytest.raises(CurveError, match="left on the curve"):
        bc.quote_buy_exact_tokens(state, DEFAULT, state.real_token_reserves + 1)
    with pytest.raises(CurveError, match="too little"):
        bc.quote_buy(state, DEFAULT, 1)
    with pytest.raises(CurveError, match="too few"):
        bc.quote_sell(state, DEFAULT, 1)
    done = bc.quote_buy(state, DEFAULT, 100 * SOL).new_state
    for trade in (bc.quote_buy, bc.quote_sell, bc.quote_buy_exact_tokens):
        with pytest.raises(CurveError, match="completed"):
            trade(done, DEFAULT, TOKEN)


@pytest.mark.parametrize(
    "change",
    [
        {"sellable_tokens": DEFAULT.virtual_tokens},
        {"sellable_tokens": 0},
        {"total_supply": DEFAULT.sellable_tokens - 1},
        {"fee_bps": 10_000},
        {"fee_bps": -1},
        {"virtual_sol": 0},
        {"graduation_fee_lamports": BUYOUT_COST + 1},
    ],
)
def test_impossible_parameters_are_refused(change: dict[str, int]) -> None:
    with pytest.raises(CurveError):
        replace(DEFAULT, **change)


# --- properties -----------------------------------------------------------------------------

@st.composite
def curve_params(draw: st.DrawFn) -> CurveParams:
    fee_bps = draw(st.sampled_from([0, 100, 30, 999]))
    if draw(st.booleans()):
        return replace(DEFAULT, fee_bps=fee_bps)
    sellable = draw(st.integers(1, 10**15))
    return CurveParams(
        virtual_sol=draw(st.integers(1, 10**12)),
        virtual_tokens=sellable + draw(st.integers(1, 10**15)),
        sellable_tokens=sellable,
        total_supply=sellable + draw(st.integers(0, 10**15)),
        fee_bps=fee_bps,
    )


# ("buy", lamports), ("buy_exact", per-mille of the tokens left), ("sell", per-mille of the tokens sold)
trades = st.lists(
    st.one_of(
        st.tuples(st.just("buy"), st.integers(1, 200 * SOL)),
        st.tuples(st.just("buy_exact"), st.integers(1, 1000)),
        st.tuples(st.just("sell"), st.integers(1, 1000)),
    ),
    max_size=25,
)


def price_trade(state: CurveState, params: CurveParams, kind: str, amount: int) -> bc.BuyQuote | bc.SellQuote | None:
    """Price one trade; None when the curve rightly refuses it (complete, nothing sold, too small)."""
    try:
        if kind == "buy":
            return bc.quote_buy(state, params, amount)
        if kind == "buy_exact":
            return bc.quote_buy_exact_tokens(state, params, max(1, state.real_token_reserves * amount // 1000))
        return bc.quote_sell(state, params, max(1, state.tokens_sold * amount // 1000))
    except CurveError as refusal:
        assert state.complete or state.tokens_sold == 0 or "too" in str(refusal), refusal
        return None


def assert_consistent(state: CurveState, params: CurveParams) -> None:
    for value in (state.virtual_sol_reserves, state.virtual_token_reserves, state.real_sol_reserves,
                  state.real_token_reserves, state.tokens_sold):
        assert type(value) is int
    assert 0 <= state.real_token_reserves
    assert 0 <= state.tokens_sold <= params.sellable_tokens
    assert state.tokens_sold + state.real_token_reserves == params.sellable_tokens
    assert state.virtual_token_reserves == params.virtual_tokens - state.tokens_sold
    assert state.real_sol_reserves == state.virtual_sol_reserves - params.virtual_sol >= 0
    assert state.complete == (state.real_token_reserves == 0)


@given(params=curve_params(), script=trades)
def test_any_sequence_of_trades_keeps_the_curve_sound(params: CurveParams, script: list[tuple[str, int]]) -> None:
    state = CurveState.initial(params)
    for kind, amount in script:
        quote = price_trade(state, params, kind, amount)
        if quote is None:
            continue
        after = quote.new_state
        price_before = bc.price_lamports_per_token_unit(state)
        price_after = bc.price_lamports_per_token_unit(after)
        product_before = state.virtual_sol_reserves * state.virtual_token_reserves
        assert after.virtual_sol_reserves * after.virtual_token_reserves >= product_before
        if isinstance(quote, bc.BuyQuote):
            assert price_after > price_before
            assert quote.tokens_out > 0
            assert quote.lamports_charged == (after.real_sol_reserves - state.real_sol_reserves) + quote.fee_lamports
            assert quote.fee_lamports == bc.trade_fee(quote.cost_lamports, params)
            if kind == "buy":
                assert quote.lamports_charged + quote.unused_lamports == amount
                assert quote.unused_lamports >= 0
        else:
            assert price_after < price_before
            assert quote.proceeds_lamports == state.real_sol_reserves - after.real_sol_reserves
            assert quote.lamports_out + quote.fee_lamports == quote.proceeds_lamports
            assert quote.lamports_out > 0
        assert_consistent(after, params)
        state = after


@given(params=curve_params(), script=trades)
def test_every_seller_can_always_be_paid(params: CurveParams, script: list[tuple[str, int]]) -> None:
    state = CurveState.initial(params)
    for kind, amount in script:
        quote = price_trade(state, params, kind, amount)
        state = quote.new_state if quote else state
    if state.tokens_sold and not state.complete:
        quote = price_trade(state, params, "sell", 1000)
        if quote is not None:
            assert quote.new_state.tokens_sold == 0
            assert quote.new_state.virtual_sol_reserves >= params.virtual_sol
            assert_consistent(quote.new_state, params)


@given(params=curve_params(), script=trades, lamports=st.integers(1, 100 * SOL))
def test_buying_then_selling_at_once_never_returns_more_than_was_paid(
    params: CurveParams, script: list[tuple[str, int]], lamports: int
) -> None:
    state = CurveState.initial(params)
    for kind, amount in script:
        quote = price_trade(state, params, kind, amount)
        state = quote.new_state if quote else state
    buy = price_trade(state, params, "buy", lamports)
    if buy is None or buy.new_state.complete:
        return
    assert isinstance(buy, bc.BuyQuote)
    try:
        sell = bc.quote_sell(buy.new_state, params, buy.tokens_out)
    except CurveError as refusal:
        assert "too few" in str(refusal)
        return
    assert sell.proceeds_lamports <= buy.cost_lamports
    assert sell.lamports_out <= buy.lamports_charged
    assert sell.new_state.virtual_sol_reserves >= state.virtual_sol_reserves
    assert sell.new_state.tokens_sold == state.tokens_sold


@given(params=curve_params(), lamports=st.integers(1, 200 * SOL))
def test_exact_token_buy_never_costs_more_than_the_sol_buy_that_got_them(params: CurveParams, lamports: int) -> None:
    state = CurveState.initial(params)
    buy = price_trade(state, params, "buy", lamports)
    if buy is None:
        return
    assert isinstance(buy, bc.BuyQuote)
    exact = bc.quote_buy_exact_tokens(state, params, buy.tokens_out)
    assert exact.lamports_charged <= buy.lamports_charged <= lamports
