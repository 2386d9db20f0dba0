"""A graduated token's liquidity pool: constant product over real reserves.

Opened by graduation with the curve's raised SOL (less the graduation fee) and
its reserved tokens. Same rounding rule as the curve: everything leaving the
pool rounds down, fees round up, so `sol_reserves * token_reserves` never
shrinks and the pool can never be drained. Fees stay in the pool's wallet
beside the reserves (`fees_lamports` on its row), not in the reserves.
"""
from __future__ import annotations

from dataclasses import dataclass

from webapp.money import sol_text
from webapp.services.bonding_curve import BPS_DENOMINATOR, CurveError


@dataclass(frozen=True)
class PoolState:
    sol_reserves: int
    token_reserves: int

    def __post_init__(self) -> None:
        if self.sol_reserves <= 0 or self.token_reserves <= 0:
            raise CurveError("A pool needs SOL and tokens on both sides.")


@dataclass(frozen=True)
class PoolTrade:
    """A priced pool trade: the member pays or receives `member_lamports` (fee included)."""

    tokens: int
    venue_lamports: int  # what enters (buy) or leaves (sell) the reserves
    fee_lamports: int
    member_lamports: int
    new_state: PoolState


def _fee(lamports: int, fee_bps: int) -> int:
    return -(-lamports * fee_bps // BPS_DENOMINATOR)


def quote_pool_buy(state: PoolState, fee_bps: int, lamports_in: int) -> PoolTrade:
    """Spend at most `lamports_in` (fee included); tokens out rounded down."""
    if lamports_in <= 0:
        raise CurveError("Spend a positive amount of SOL.")
    cost = lamports_in * BPS_DENOMINATOR // (BPS_DENOMINATOR + fee_bps)
    tokens_out = state.token_reserves * cost // (state.sol_reserves + cost)
    if tokens_out <= 0:
        raise CurveError(f"{sol_text(lamports_in)} SOL is too little to buy any tokens.")
    fee = _fee(cost, fee_bps)
    new_state = PoolState(state.sol_reserves + cost, state.token_reserves - tokens_out)
    return PoolTrade(tokens_out, cost, fee, cost + fee, new_state)


def quote_pool_buy_exact_tokens(state: PoolState, fee_bps: int, tokens_out: int) -> PoolTrade:
    """Buy exactly `tokens_out`: cost rounded up, plus the fee on it rounded up (how a fixed trade lands)."""
    if tokens_out <= 0:
        raise CurveError("Buy at least one token base unit.")
    if tokens_out >= state.token_reserves:
        raise CurveError("The pool cannot give out that many tokens.")
    cost = -(-state.sol_reserves * tokens_out // (state.token_reserves - tokens_out))
    fee = _fee(cost, fee_bps)
    new_state = PoolState(state.sol_reserves + cost, state.token_reserves - tokens_out)
    return PoolTrade(tokens_out, cost, fee, cost + fee, new_state)


def quote_pool_sell(state: PoolState, fee_bps: int, tokens_in: int) -> PoolTrade:
    """Sell `tokens_in`; proceeds rounded down, the fee on them rounded up."""
    if tokens_in <= 0:
        raise CurveError("Sell at least {tokens}.", tokens=1)
    proceeds = state.sol_reserves * tokens_in // (state.token_reserves + tokens_in)
    fee = _fee(proceeds, fee_bps)
    if proceeds - fee <= 0:
        raise CurveError("{tokens} are too few to receive any SOL.", tokens=tokens_in)
    new_state = PoolState(state.sol_reserves - proceeds, state.token_reserves + tokens_in)
    return PoolTrade(tokens_in, proceeds, fee, proceeds - fee, new_state)
