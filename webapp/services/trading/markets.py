"""A token's market on Momentum: a Wild Fires curve (then its pool), or a Stable Grounds pool opened at launch.

Pure quoting lives in webapp.services.bonding_curve (curve) and
webapp.services.liquidity_pool (pool); this module reads and writes their state.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from solders.pubkey import Pubkey
from solders.system_program import TransferParams, transfer
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert

from webapp.chain import spl
from webapp.chain.rpc import SolanaRpcClient
from webapp.extensions import db
from webapp.models import BondingCurve, MarketPhase, Token, TokenMarket
from webapp.services import bonding_curve, liquidity_pool, platform_wallets
from webapp.services.bonding_curve import CurveError, CurveParams, CurveState
from webapp.services.liquidity_pool import PoolState
from webapp.services.refusals import Refusal

VAULT_FLOAT_LAMPORTS = 10_000_000  # 0.01 SOL: keeps the vault rent-exempt and pays graduation's fees


class TradeError(Refusal):
    """A trade the market refuses."""


@dataclass(frozen=True)
class Quote:
    """A priced trade. The member pays (buy) or receives (sell) `member_lamports`, fee included."""

    side: str
    venue: str
    tokens: int
    member_lamports: int
    venue_lamports: int
    fee_lamports: int
    state_after: dict[str, Any]
    unused_lamports: int = 0


def curve_for(mint: str, *, lock: bool = False) -> BondingCurve | None:
    query = select(BondingCurve).where(BondingCurve.mint == mint)
    if lock:  # the row as it is once the lock is ours, not as this session last saw it
        query = query.with_for_update().execution_options(populate_existing=True)
    return db.session.scalar(query)


def params_of(curve: BondingCurve) -> CurveParams:
    return CurveParams(int(curve.virtual_sol), int(curve.virtual_tokens), int(curve.sellable_tokens),
                       int(curve.total_supply), int(curve.fee_bps), int(curve.graduation_fee_lamports))


def curve_state(curve: BondingCurve) -> CurveState:
    return CurveState(int(curve.virtual_sol_reserves), int(curve.virtual_token_reserves), int(curve.real_sol_reserves),
                      int(curve.real_token_reserves), int(curve.tokens_sold), curve.phase != MarketPhase.CURVE.value)


def pool_state(curve: BondingCurve) -> PoolState:
    return PoolState(int(curve.pool_sol_reserves or 0), int(curve.pool_token_reserves or 0))


def progress(curve: BondingCurve) -> bonding_curve.Progress:
    return bonding_curve.progress(curve_state(curve), params_of(curve))


def progress_figures(curve: BondingCurve | None) -> dict[str, int]:
    """What `tokens/_curve_progress.html` draws, for a curve still selling (nothing otherwise)."""
    if curve is None or curve.phase != MarketPhase.CURVE.value:
        return {}
    sold = progress(curve)
    return {"curve_progress_bps": sold.sold_bps, "curve_raised_lamports": sold.raised_lamports,
            "curve_remaining_lamports": sold.remaining_lamports}


def open_curve(client: SolanaRpcClient, mint: str, launch_id: int | None, symbol: str,
               params: CurveParams = CurveParams.DEFAULT) -> BondingCurve:
    """The token's curve row (created once) and a vault float paid from the treasury when it lacks one."""
    curve = curve_for(mint)
    if curve is None:
        state = CurveState.initial(params)
        curve = BondingCurve(
            mint=mint, launch_id=launch_id, vault_wallet=f"curve_{launch_id}", pool_wallet=f"pool_{launch_id}",
            virtual_sol=params.virtual_sol, virtual_tokens=params.virtual_tokens,
            sellable_tokens=params.sellable_tokens, total_supply=params.total_supply, fee_bps=params.fee_bps,
            graduation_fee_lamports=params.graduation_fee_lamports, **_curve_columns(state), curve_fees_lamports=0,
            pool_fees_lamports=0, phase=MarketPhase.CURVE.value)
        db.session.add(curve)
        db.session.commit()
    platform_wallets.ensure_wallet(curve.pool_wallet, f"{symbol} liquidity pool")
    vault = Pubkey.from_string(platform_wallets.ensure_wallet(curve.vault_wallet, f"{symbol} curve vault").address)
    shortfall = VAULT_FLOAT_LAMPORTS - client.get_balance(vault, "confirmed") if curve.real_sol_reserves == 0 else 0
    if shortfall > 0:
        treasury = platform_wallets.keystore().keypair("treasury")
        top_up = transfer(TransferParams(from_pubkey=treasury.pubkey(), to_pubkey=vault, lamports=shortfall))
        client.send_and_confirm(spl.sign([top_up], treasury, client.get_latest_blockhash().blockhash))
    return curve


def open_launch_pool(client: SolanaRpcClient, mint: str, launch_id: int, symbol: str, opened_by: str,
                     fee_bps: int = CurveParams.DEFAULT.fee_bps) -> BondingCurve | None:
    """A Stable Grounds token's pool, which its launch transaction funded: the row is made once, from the pool
    wallet's balances on chain, with the pool's opening price as the token's price until its first trade
    (`opened_by`, the launch transaction that funded it, stands as that price's signature).

    None when the pool wallet holds nothing (a token launched before pools opened at launch).
    The row has no curve: it is in the pool phase from the start and never graduates.
    """
    curve = curve_for(mint)
    if curve is not None:
        return curve
    token = db.session.scalar(select(Token).where(Token.mint == mint))
    pool_wallet = f"pool_{launch_id}"  # the name launches.allocations minted the public supply to
    address = platform_wallets.ensure_wallet(pool_wallet, f"{symbol} liquidity pool").address
    lamports = client.get_balance(address, "confirmed")
    tokens = sum(holding.amount for holding in client.get_token_accounts_by_owner(address, mint=mint))
    if token is None or lamports <= 0 or tokens <= 0:
        return None
    curve = BondingCurve(
        mint=mint, launch_id=launch_id, vault_wallet=pool_wallet, pool_wallet=pool_wallet, virtual_sol=0,
        virtual_tokens=0, sellable_tokens=0, total_supply=int(token.supply), fee_bps=fee_bps,
        graduation_fee_lamports=0, virtual_sol_reserves=0, virtual_token_reserves=0, real_sol_reserves=0,
        real_token_reserves=0, tokens_sold=0, curve_fees_lamports=0, pool_sol_reserves=lamports,
        pool_token_reserves=tokens, pool_fees_lamports=0, phase=MarketPhase.POOL.value)
    db.session.add(curve)
    # slot 0: the indexer's first trade (any real slot) replaces this opening price
    db.session.execute(pg_insert(TokenMarket.__table__).values(
        mint=mint, price_lamports=lamports, price_units=tokens, price_slot=0, price_signature=opened_by,
        market_cap_lamports=int(token.supply) * lamports // tokens, trades=0).on_conflict_do_nothing())
    db.session.commit()
    return curve


def _curve_columns(state: CurveState) -> dict[str, int]:
    return {"virtual_sol_reserves": state.virtual_sol_reserves, "virtual_token_reserves": state.virtual_token_reserves,
            "real_sol_reserves": state.real_sol_reserves, "real_token_reserves": state.real_token_reserves,
            "tokens_sold": state.tokens_sold}


def market_state(curve: BondingCurve) -> dict[str, Any]:
    """The reserves as they stand on the row, in the form quotes carry them (`{"curve": …}` or `{"pool": …}`)."""
    if curve.phase == MarketPhase.POOL.value:
        return {"pool": asdict(pool_state(curve))}
    return {"curve": asdict(curve_state(curve))}


def _sold_out() -> TradeError:
    return TradeError("The curve has sold out and its pool is opening; trade again in a moment.", 409)


def quote(curve: BondingCurve, side: str, amount: int, state: dict[str, Any] | None = None) -> Quote:
    """Price a trade: `amount` is lamports to spend (buy) or token units (sell).

    On the market as it stands, or on `state` (the reserves once the trades in flight land).
    """
    if side not in ("buy", "sell"):
        raise TradeError("Choose buy or sell.", 400)
    if curve.phase == MarketPhase.GRADUATING.value:
        raise _sold_out()
    state = state or market_state(curve)
    try:
        if "pool" in state:
            return _pool_quote(curve, PoolState(**state["pool"]), side, amount)
        return _curve_quote(curve, CurveState(**state["curve"]), side, amount)
    except CurveError as error:
        raise TradeError(_in_token_units(curve.mint, error)) from error


def _in_token_units(mint: str, error: CurveError) -> str:
    """The curve's refusal with its token amount in the token's units (looked up only when refusing)."""
    found = db.session.execute(select(Token.decimals, Token.symbol).where(Token.mint == mint)).one_or_none()
    return error.for_token(found.decimals, found.symbol) if found else str(error)


def fixed_trade(curve: BondingCurve, state: dict[str, Any], side: str, tokens: int) -> Quote:
    """What trading exactly `tokens` costs (buy) or pays (sell) on `state`, at the venue's fee.

    A signed order moves fixed amounts, so this is how it is re-priced when it is
    sent and how the reserves move when it lands.
    """
    try:
        if "pool" in state:
            pool, fee_bps = PoolState(**state["pool"]), int(curve.fee_bps)
            trade = (liquidity_pool.quote_pool_buy_exact_tokens(pool, fee_bps, tokens) if side == "buy"
                     else liquidity_pool.quote_pool_sell(pool, fee_bps, tokens))
            return Quote(side, "pool", trade.tokens, trade.member_lamports, trade.venue_lamports, trade.fee_lamports,
                         {"pool": asdict(trade.new_state)})
        on_curve = CurveState(**state["curve"])
        if on_curve.complete:
            raise _sold_out()
        if side == "buy":
            buy = bonding_curve.quote_buy_exact_tokens(on_curve, params_of(curve), tokens)
            return Quote("buy", "curve", tokens, buy.lamports_charged, buy.cost_lamports, buy.fee_lamports,
                         {"curve": asdict(buy.new_state)})
        sell = bonding_curve.quote_sell(on_curve, params_of(curve), tokens)
        return Quote("sell", "curve", tokens, sell.lamports_out, sell.proceeds_lamports, sell.fee_lamports,
                     {"curve": asdict(sell.new_state)})
    except CurveError as error:
        raise TradeError(str(error)) from error


def state_before(side: str, tokens: int, venue_lamports: int, state_after: dict[str, Any]) -> dict[str, Any]:
    """The reserves a quote was priced on, worked back from where it leaves them."""
    sign = 1 if side == "buy" else -1  # a buy put lamports in and took tokens out
    if "pool" in state_after:
        pool = state_after["pool"]
        return {"pool": {"sol_reserves": pool["sol_reserves"] - sign * venue_lamports,
                         "token_reserves": pool["token_reserves"] + sign * tokens}}
    after = state_after["curve"]
    return {"curve": {"virtual_sol_reserves": after["virtual_sol_reserves"] - sign * venue_lamports,
                      "virtual_token_reserves": after["virtual_token_reserves"] + sign * tokens,
                      "real_sol_reserves": after["real_sol_reserves"] - sign * venue_lamports,
                      "real_token_reserves": after["real_token_reserves"] + sign * tokens,
                      "tokens_sold": after["tokens_sold"] - sign * tokens, "complete": False}}


def _curve_quote(curve: BondingCurve, state: CurveState, side: str, amount: int) -> Quote:
    params = params_of(curve)
    if state.complete:
        raise _sold_out()
    if side == "buy":
        buy = bonding_curve.quote_buy(state, params, amount)
        return Quote("buy", "curve", buy.tokens_out, buy.lamports_charged, buy.cost_lamports, buy.fee_lamports,
                     {"curve": asdict(buy.new_state)}, buy.unused_lamports)
    sell = bonding_curve.quote_sell(state, params, amount)
    return Quote("sell", "curve", amount, sell.lamports_out, sell.proceeds_lamports, sell.fee_lamports,
                 {"curve": asdict(sell.new_state)})


def _pool_quote(curve: BondingCurve, state: PoolState, side: str, amount: int) -> Quote:
    if side == "buy":
        trade = liquidity_pool.quote_pool_buy(state, int(curve.fee_bps), amount)
        unused = amount - trade.member_lamports
    else:
        trade = liquidity_pool.quote_pool_sell(state, int(curve.fee_bps), amount)
        unused = 0
    return Quote(side, "pool", trade.tokens, trade.member_lamports, trade.venue_lamports, trade.fee_lamports,
                 {"pool": asdict(trade.new_state)}, unused)


def minimum_received(quote: Quote, slippage_bps: int) -> int:
    """The least the member accepts at `slippage_bps`: tokens for a buy, lamports for a sell.

    The same floor the order checks a fresh quote against (rounded down).
    """
    return slippage_floor(quote.tokens if quote.side == "buy" else quote.member_lamports, slippage_bps)


def slippage_floor(amount: int, slippage_bps: int) -> int:
    """`amount` less `slippage_bps` of it, rounded down: the least a member accepts."""
    return amount * (bonding_curve.BPS_DENOMINATOR - slippage_bps) // bonding_curve.BPS_DENOMINATOR


def apply_trade(curve: BondingCurve, venue: str, fee_lamports: int, state_after: dict[str, Any]) -> None:
    """Move the reserves to where a confirmed trade left them (the caller holds the curve's lock)."""
    if venue == "curve":
        state = CurveState(**state_after["curve"])
        for column, value in _curve_columns(state).items():
            setattr(curve, column, value)
        curve.curve_fees_lamports = int(curve.curve_fees_lamports) + fee_lamports
        if state.complete:
            curve.phase = MarketPhase.GRADUATING.value
    else:
        pool = PoolState(**state_after["pool"])
        curve.pool_sol_reserves, curve.pool_token_reserves = pool.sol_reserves, pool.token_reserves
        curve.pool_fees_lamports = int(curve.pool_fees_lamports) + fee_lamports


def venue_of(curve: BondingCurve) -> str:
    """Where the token trades now: "curve" (also while its pool opens) or "pool"."""
    return "pool" if curve.phase == MarketPhase.POOL.value else "curve"


def venue_wallet(curve: BondingCurve) -> str:
    """The platform wallet on the other side of a trade: the curve vault, or the pool after graduation."""
    return curve.pool_wallet if curve.phase == MarketPhase.POOL.value else curve.vault_wallet
