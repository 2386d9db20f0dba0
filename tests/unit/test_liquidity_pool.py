"""The graduated pool's constant-product math: exact integers, rounding in the pool's favour."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from webapp.services.bonding_curve import CurveError
from webapp.services.liquidity_pool import PoolState, quote_pool_buy, quote_pool_sell

SEED = PoolState(sol_reserves=79_005_359_057, token_reserves=206_900_000_000_000)
FEE_BPS = 100


def test_a_buy_takes_the_fee_on_top_and_moves_the_reserves() -> None:
    trade = quote_pool_buy(SEED, FEE_BPS, 1_010_000_000)
    assert trade.venue_lamports == 1_000_000_000 and trade.fee_lamports == 10_000_000
    assert trade.member_lamports == 1_010_000_000
    assert trade.tokens == SEED.token_reserves * 1_000_000_000 // (SEED.sol_reserves + 1_000_000_000)
    assert trade.new_state == PoolState(SEED.sol_reserves + 1_000_000_000, SEED.token_reserves - trade.tokens)


@pytest.mark.parametrize("quote, amount", [(quote_pool_buy, 0), (quote_pool_buy, -5), (quote_pool_sell, 0),
                                           (quote_pool_buy, 1), (quote_pool_sell, 1)])
def test_nothing_for_nothing(quote, amount) -> None:
    with pytest.raises(CurveError):
        quote(SEED, FEE_BPS, amount)


@given(st.integers(min_value=10_000, max_value=10**13), st.integers(min_value=0, max_value=1_000))
def test_buying_then_selling_never_profits_and_the_product_never_shrinks(lamports: int, fee_bps: int) -> None:
    bought = quote_pool_buy(SEED, fee_bps, lamports)
    k0 = SEED.sol_reserves * SEED.token_reserves
    assert bought.new_state.sol_reserves * bought.new_state.token_reserves >= k0
    assert bought.member_lamports <= lamports
    try:
        sold = quote_pool_sell(bought.new_state, fee_bps, bought.tokens)
    except CurveError:
        return  # too small to pay anything back: no profit either
    assert sold.member_lamports <= bought.member_lamports
    assert sold.new_state.sol_reserves * sold.new_state.token_reserves >= k0
    assert sold.new_state.sol_reserves >= SEED.sol_reserves


def test_an_exact_token_buy_costs_what_the_pool_needs_to_keep_its_product() -> None:
    from webapp.services.liquidity_pool import quote_pool_buy_exact_tokens

    state = PoolState(79 * 10**9, 206_900_000 * 10**6)
    for tokens in (1, 10**6, 10**12, state.token_reserves - 1):
        trade = quote_pool_buy_exact_tokens(state, 100, tokens)
        after = trade.new_state
        assert trade.tokens == tokens and after.token_reserves == state.token_reserves - tokens
        assert after.sol_reserves * after.token_reserves >= state.sol_reserves * state.token_reserves
        assert trade.member_lamports == trade.venue_lamports + trade.fee_lamports
    with pytest.raises(CurveError):
        quote_pool_buy_exact_tokens(state, 100, state.token_reserves)  # the pool is never emptied
