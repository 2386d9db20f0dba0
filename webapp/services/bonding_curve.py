"""Tier 1 "Wild Fires" bonding curve: constant product over virtual reserves.

Virtual SOL `x` times virtual tokens `y` never shrinks: all amounts are
integers and every division rounds in the curve's favour (tokens and lamports
out round down; lamports needed and fees round up), so no round trip makes
money and every seller can always be paid. Fees (basis points) are charged on
the lamports entering or leaving the curve. When every sellable token is sold
the curve completes; its SOL, minus a flat graduation fee, and the reserved
tokens then seed the liquidity pool.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from fractions import Fraction
from typing import ClassVar

from webapp.money import sol_text, units_text

LAMPORTS_PER_SOL = 10**9
TOKEN_DECIMALS = 6
BPS_DENOMINATOR = 10_000


class CurveError(ValueError):
    """A trade or setting the curve refuses; the message says why.

    The curve knows no token's decimals or symbol, so a message about a token
    amount keeps it in `tokens` behind a `{tokens}` placeholder, and whoever
    knows the token words it with `for_token`. Plain `str()` leaves it in base
    units, which no page shows (the refusal tests look for them).
    """

    def __init__(self, message: str, *, tokens: int | None = None) -> None:
        self.template, self.tokens = message, tokens
        super().__init__(message if tokens is None else message.format(tokens=f"{tokens} token base units"))

    def for_token(self, decimals: int, symbol: str) -> str:
        """The message with its token amount written exactly in the token's units, like `1,250.5 SPRK`."""
        if self.tokens is None:
            return str(self)
        return self.template.format(tokens=f"{units_text(self.tokens, decimals)} {symbol}")


def _ceil_div(numerator: int, denominator: int) -> int:
    """Integer division rounded up (for positive denominators)."""
    return -(-numerator // denominator)


@dataclass(frozen=True)
class CurveParams:
    """The fixed shape of one token's curve, all in base units.

    `sellable_tokens` are sold on the curve; `total_supply - sellable_tokens`
    are reserved for the pool at graduation. The virtual token reserve must
    exceed the sellable tokens so the price stays finite at sell-out.
    """

    virtual_sol: int
    virtual_tokens: int
    sellable_tokens: int
    total_supply: int
    fee_bps: int = 100
    graduation_fee_lamports: int = 0

    DEFAULT: ClassVar[CurveParams]

    def __post_init__(self) -> None:
        if self.virtual_sol <= 0 or self.virtual_tokens <= 0:
            raise CurveError("Virtual SOL and token reserves must be positive.")
        if not 0 < self.sellable_tokens < self.virtual_tokens:
            raise CurveError("Sellable tokens must be positive and below the virtual token reserve.")
        if self.sellable_tokens > self.total_supply:
            raise CurveError("Sellable tokens cannot exceed the total supply.")
        if not 0 <= self.fee_bps < BPS_DENOMINATOR:
            raise CurveError(f"Fee must be between 0 and {BPS_DENOMINATOR - 1} basis points.")
        if not 0 <= self.graduation_fee_lamports <= self.minimum_raise_lamports:
            raise CurveError("Graduation fee must be between 0 and the SOL the curve raises at sell-out.")

    @property
    def reserved_tokens(self) -> int:
        """Tokens kept off the curve for the liquidity pool."""
        return self.total_supply - self.sellable_tokens

    @property
    def minimum_raise_lamports(self) -> int:
        """Lamports (before fees) that buy every sellable token from the initial state."""
        remaining_virtual = self.virtual_tokens - self.sellable_tokens
        return _ceil_div(self.virtual_sol * self.sellable_tokens, remaining_virtual)


CurveParams.DEFAULT = CurveParams(
    virtual_sol=30 * LAMPORTS_PER_SOL,
    virtual_tokens=1_073_000_000 * 10**TOKEN_DECIMALS,
    sellable_tokens=793_100_000 * 10**TOKEN_DECIMALS,
    total_supply=1_000_000_000 * 10**TOKEN_DECIMALS,
    fee_bps=100,
    graduation_fee_lamports=6 * LAMPORTS_PER_SOL,
)


@dataclass(frozen=True)
class CurveState:
    """Where a curve stands. `real_token_reserves` are the tokens still sellable."""

    virtual_sol_reserves: int
    virtual_token_reserves: int
    real_sol_reserves: int
    real_token_reserves: int
    tokens_sold: int
    complete: bool = False

    def __post_init__(self) -> None:
        if min(self.virtual_sol_reserves, self.virtual_token_reserves) <= 0:
            raise CurveError("Virtual reserves must stay positive.")
        if min(self.real_sol_reserves, self.real_token_reserves, self.tokens_sold) < 0:
            raise CurveError("Real reserves and tokens sold cannot be negative.")

    @classmethod
    def initial(cls, params: CurveParams) -> CurveState:
        """A fresh curve: nothing sold, nothing raised."""
        return cls(
            virtual_sol_reserves=params.virtual_sol,
            virtual_token_reserves=params.virtual_tokens,
            real_sol_reserves=0,
            real_token_reserves=params.sellable_tokens,
            tokens_sold=0,
        )


@dataclass(frozen=True)
class BuyQuote:
    """A priced buy. `lamports_charged = cost_lamports + fee_lamports`;
    `unused_lamports` is what the buyer offered but keeps (capped buys, dust)."""

    tokens_out: int
    cost_lamports: int
    fee_lamports: int
    lamports_charged: int
    unused_lamports: int
    new_state: CurveState


@dataclass(frozen=True)
class SellQuote:
    """A priced sell. `lamports_out = proceeds_lamports - fee_lamports`."""

    tokens_in: int
    proceeds_lamports: int
    fee_lamports: int
    lamports_out: int
    new_state: CurveState


@dataclass(frozen=True)
class Progress:
    """How far a curve is from graduating."""

    raised_lamports: int
    remaining_lamports: int
    sold_bps: int


@dataclass(frozen=True)
class Graduation:
    """What seeds the liquidity pool once the curve has sold out."""

    pool_lamports: int
    pool_tokens: int
    graduation_fee_lamports: int


def trade_fee(lamports: int, params: CurveParams) -> int:
    """The platform's fee on lamports entering or leaving the curve, rounded up."""
    return _ceil_div(lamports * params.fee_bps, BPS_DENOMINATOR)


def _require_open(state: CurveState) -> None:
    if state.complete:
        raise CurveError("This curve has completed; trade on its liquidity pool instead.")


def _bought(state: CurveState, tokens_out: int, cost: int) -> CurveState:
    real_token_reserves = state.real_token_reserves - tokens_out
    return replace(
        state,
        virtual_sol_reserves=state.virtual_sol_reserves + cost,
        virtual_token_reserves=state.virtual_token_reserves - tokens_out,
        real_sol_reserves=state.real_sol_reserves + cost,
        real_token_reserves=real_token_reserves,
        tokens_sold=state.tokens_sold + tokens_out,
        complete=real_token_reserves == 0,
    )


def cost_of_tokens(state: CurveState, tokens_out: int) -> int:
    """Lamports (before fee) the curve needs to release `tokens_out`, rounded up."""
    remaining_virtual = state.virtual_token_reserves - tokens_out
    return _ceil_div(state.virtual_sol_reserves * tokens_out, remaining_virtual)


def quote_buy_exact_tokens(state: CurveState, params: CurveParams, tokens_out: int) -> BuyQuote:
    """Buy exactly `tokens_out`: cost rounded up, plus the fee on it rounded up."""
    _require_open(state)
    if tokens_out <= 0:
        raise CurveError("Buy at least {tokens}.", tokens=1)
    if tokens_out > state.real_token_reserves:
        raise CurveError("Only {tokens} are left on the curve.", tokens=state.real_token_reserves)
    cost = cost_of_tokens(state, tokens_out)
    fee = trade_fee(cost, params)
    return BuyQuote(tokens_out, cost, fee, cost + fee, 0, _bought(state, tokens_out, cost))


def quote_buy(state: CurveState, params: CurveParams, lamports_in: int) -> BuyQuote:
    """Spend at most `lamports_in` (fee included) on tokens, rounded down.

    The curve gets the largest cost whose fee still fits in `lamports_in`.
    When that would take more than the tokens left, the buy takes exactly the
    tokens left and charges only what they cost; the rest is `unused_lamports`.
    """
    _require_open(state)
    if lamports_in <= 0:
        raise CurveError("Spend a positive amount of SOL.")
    # Largest cost c with c + ceil(c * fee_bps / 10000) <= lamports_in.
    cost = lamports_in * BPS_DENOMINATOR // (BPS_DENOMINATOR + params.fee_bps)
    tokens_out = state.virtual_token_reserves * cost // (state.virtual_sol_reserves + cost)
    if tokens_out >= state.real_token_reserves:
        capped = quote_buy_exact_tokens(state, params, state.real_token_reserves)
        return replace(capped, unused_lamports=lamports_in - capped.lamports_charged)
    if tokens_out == 0:
        raise CurveError(f"{sol_text(lamports_in)} SOL is too little to buy any tokens.")
    fee = trade_fee(cost, params)
    charged = cost + fee
    return BuyQuote(tokens_out, cost, fee, charged, lamports_in - charged, _bought(state, tokens_out, cost))


def quote_sell(state: CurveState, params: CurveParams, tokens_in: int) -> SellQuote:
    """Sell `tokens_in` back: proceeds rounded down, fee on them rounded up.

    Only tokens bought on this curve can come back, so the curve never goes
    below its initial state and can always pay every seller.
    """
    _require_open(state)
    if tokens_in <= 0:
        raise CurveError("Sell at least {tokens}.", tokens=1)
    if tokens_in > state.tokens_sold:
        raise CurveError("Only {tokens} have been sold on this curve.", tokens=state.tokens_sold)
    new_virtual_tokens = state.virtual_token_reserves + tokens_in
    proceeds = state.virtual_sol_reserves * tokens_in // new_virtual_tokens
    fee = trade_fee(proceeds, params)
    if proceeds - fee <= 0:
        raise CurveError("{tokens} are too few to receive any SOL.", tokens=tokens_in)
    new_state = replace(
        state,
        virtual_sol_reserves=state.virtual_sol_reserves - proceeds,
        virtual_token_reserves=new_virtual_tokens,
        real_sol_reserves=state.real_sol_reserves - proceeds,
        real_token_reserves=state.real_token_reserves + tokens_in,
        tokens_sold=state.tokens_sold - tokens_in,
    )
    return SellQuote(tokens_in, proceeds, fee, proceeds - fee, new_state)


def price_lamports_per_token_unit(state: CurveState) -> Fraction:
    """The marginal price, exactly: virtual SOL over virtual tokens."""
    return Fraction(state.virtual_sol_reserves, state.virtual_token_reserves)


def market_cap_lamports(state: CurveState, params: CurveParams) -> int:
    """Total supply valued at the current price, rounded down."""
    return params.total_supply * state.virtual_sol_reserves // state.virtual_token_reserves


def progress(state: CurveState, params: CurveParams) -> Progress:
    """SOL raised, SOL (before fees) still needed to sell out, and basis points sold (floor)."""
    remaining = 0 if state.complete else cost_of_tokens(state, state.real_token_reserves)
    sold_bps = state.tokens_sold * BPS_DENOMINATOR // params.sellable_tokens
    return Progress(state.real_sol_reserves, remaining, sold_bps)


def graduation(state: CurveState, params: CurveParams) -> Graduation:
    """The pool's seed: raised SOL minus the graduation fee, and the reserved tokens."""
    if not state.complete:
        raise CurveError("The curve has not sold out yet; it cannot graduate.")
    fee = params.graduation_fee_lamports
    if state.real_sol_reserves < fee:
        raise CurveError("The curve raised less SOL than the graduation fee.")
    return Graduation(state.real_sol_reserves - fee, params.reserved_tokens, fee)
