"""Trade orders: many members quote at once; the market is locked only while a signed order is checked and sent.

A quote takes no lock and blocks no one. It prices the member's trade on the
reserves as they will stand once the orders already sent have landed, and
records the exact message (fixed amounts) for the member's wallet to sign. A
member holds one live quote per token: a new one replaces their old one.

The vault signs last. At submit, under the market's row lock, the order is
priced again: the same tokens on the reserves as they will stand once every
sent order lands. When the signed amounts are within the member's slippage of
that price, the vault co-signs and the order goes out at the signed amounts;
otherwise nothing moves and the member gets a new quote (PriceMoved). The lock
is released as soon as the signature is committed, before the send itself, so
no member's deciding and no network call ever holds the market.

Who bears the difference. The member pays or receives exactly what they signed.
The reserves move exactly along the curve (or the pool's constant product) for
the tokens that landed, so the venue can always pay every seller. The gap
between the two is booked to the trade's fee, the platform's income: the fee
grows when the market moved in the venue's favour (by at most the member's
slippage, their consent) and shrinks when it moved against, never below zero:
a move that would make the venue pay past its own price is refused with a new
quote, so quoting, moving the price with a second trade and signing the first
at the old price earns nothing.

Reserves never drift from the chain. They move only when a sent order settles
as confirmed, once (under the market's lock, with the order's row locked and
still SENT), by exactly the tokens and lamports that landed. A failed or
expired order moves nothing. A buy is checked against the tokens the venue
holds less what every sent buy may take (sent sells count only once they
land, since they may fail), so two racing sends never sell past the curve's
last token; the buy that takes the last tokens goes only when nothing else is
in flight, so the curve graduates with nothing left to land on it.
"""
from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import current_app
from solders.message import MessageV0
from solders.pubkey import Pubkey
from solders.transaction import VersionedTransaction
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from webapp.chain.rpc import SolanaRpcClient, SolanaUnavailable
from webapp.chain.rpc.client import LatestBlockhash
from webapp.extensions import db
from webapp.models import BondingCurve, MarketPhase, OrderStatus, Token, TradeOrder, User
from webapp.money import sol_text, units_text
from webapp.services import member_transactions, platform_wallets
from webapp.services.bonding_curve import BPS_DENOMINATOR
from webapp.services.member_transactions import (
    NETWORK_FEE_LAMPORTS,
    WALLET_RENT_MINIMUM,
    MemberFunds,
    RefusedTransaction,
    member_funds,
    program_of,
)
from webapp.services.trading import markets
from webapp.services.trading.markets import TradeError
from webapp.services.trading.messages import trade_message, unsigned

TOKEN_ACCOUNT_RENT = 2_039_280       # a new associated token account
MAX_SLIPPAGE_BPS = 1_000             # 10 %: the widest move of the market a signed quote may still land through
NO_MARKET = "This token has no bonding curve or pool on Momentum."


@dataclass(frozen=True)
class PlacedOrder:
    order: TradeOrder
    transaction: str  # base64 wire bytes with empty signature slots, for the member's wallet

    @property
    def seconds_left(self) -> int:
        return seconds_left(self.order)

    @property
    def expires_at(self) -> datetime:
        return self.order.expires_at.astimezone(UTC)


class PriceMoved(TradeError):
    """A signed order the market moved past (or that expired): nothing moved, and here is a new quote."""

    def __init__(self, message: str, placed: PlacedOrder) -> None:
        super().__init__(message, 409)
        self.placed = placed


def _now() -> datetime:
    return datetime.now(UTC)


def seconds_left(order: TradeOrder) -> int:
    """Whole seconds until the quote expires (0 once it has)."""
    return max(0, int((order.expires_at - _now()).total_seconds()))


def place_order(user: User, mint: str, side: str, amount: int, *, slippage_bps: int, expected: int | None,
                client: SolanaRpcClient) -> PlacedOrder:
    """Quote on the reserves as the sent orders will leave them, and record the member's order; locks nothing.

    `expected` is what the member saw in the preview (tokens for a buy,
    lamports for a sell); the quote is refused when it is worse by more than
    `slippage_bps`.
    """
    if not 0 <= slippage_bps <= MAX_SLIPPAGE_BPS:
        raise TradeError(f"Slippage must be between 0% and {MAX_SLIPPAGE_BPS // 100}%.", 400)
    token = db.session.scalar(select(Token).where(Token.mint == mint))
    curve = markets.curve_for(mint)
    if token is None or curve is None:
        db.session.rollback()
        raise TradeError(NO_MARKET, 404)
    funds = member_funds(client, user.wallet, token)
    latest = client.get_latest_blockhash("confirmed")
    try:
        quote = markets.quote(curve, side, amount, _outlook(curve, _in_flight(mint)))
        _check_slippage(quote, expected, slippage_bps)
        _check_member_can_pay(funds, quote, token)
        order = _record(user, token, curve, quote, slippage_bps, latest)
    except Exception:
        db.session.rollback()
        raise
    return PlacedOrder(order, base64.b64encode(unsigned_transaction(order)).decode())


def unsigned_transaction(order: TradeOrder) -> bytes:
    return unsigned(MessageV0.from_bytes(order.message))


def _in_flight(mint: str) -> list[TradeOrder]:
    """The mint's sent orders not yet settled, in the order they were sent."""
    query = select(TradeOrder).where(TradeOrder.mint == mint, TradeOrder.status == OrderStatus.SENT.value)
    return list(db.session.scalars(query.order_by(TradeOrder.id)))


def _outlook(curve: BondingCurve, in_flight: list[TradeOrder]) -> dict[str, Any]:
    """The reserves once every sent order lands, each at its fixed amounts (one that could not is left out)."""
    state = markets.market_state(curve)
    for order in in_flight:
        if order.venue != markets.venue_of(curve):
            continue
        try:
            state = markets.fixed_trade(curve, state, order.side, int(order.token_amount)).state_after
        except TradeError:
            continue
    return state


def _check_slippage(quote: markets.Quote, expected: int | None, slippage_bps: int) -> None:
    if expected is None or expected <= 0:
        return
    received = quote.tokens if quote.side == "buy" else quote.member_lamports
    if received < markets.slippage_floor(expected, slippage_bps):
        raise TradeError("The price moved beyond your slippage limit since the preview; review the new quote.", 409)


def _check_member_can_pay(funds: MemberFunds, quote: markets.Quote, token: Token) -> None:
    lamports = funds.lamports
    if quote.side == "buy":
        needed = quote.member_lamports + NETWORK_FEE_LAMPORTS + (0 if funds.has_token_account else TOKEN_ACCOUNT_RENT)
        if not member_transactions.leaves_wallet_usable(lamports, needed):
            raise TradeError(f"Your wallet holds {sol_text(lamports)} SOL; this buy needs {sol_text(needed)} SOL "
                             f"with fees, plus {sol_text(WALLET_RENT_MINIMUM)} SOL left over for rent.")
        return
    if funds.token_balance < quote.tokens:
        raise TradeError(f"Your wallet holds {units_text(funds.token_balance, token.decimals)} {token.symbol}; "
                         f"you asked to sell {units_text(quote.tokens, token.decimals)} {token.symbol}.")
    if lamports < NETWORK_FEE_LAMPORTS:
        raise TradeError("Your wallet needs a little SOL for the network fee.")


def _record(user: User, token: Token, curve: BondingCurve, quote: markets.Quote, slippage_bps: int,
            latest: LatestBlockhash) -> TradeOrder:
    """The member's new order, replacing their own live quote on this token (no one else's)."""
    seconds = int(current_app.config.get("TRADE_QUOTE_SECONDS", 45))
    db.session.execute(update(TradeOrder).where(
        TradeOrder.mint == token.mint, TradeOrder.user_id == user.id,
        TradeOrder.status == OrderStatus.AWAITING_SIGNATURE.value).values(
        status=OrderStatus.EXPIRED.value, error="replaced by a newer quote", settled_at=_now()))
    order = TradeOrder(
        mint=token.mint, user_id=user.id, wallet=user.wallet, side=quote.side, venue=quote.venue,
        token_amount=quote.tokens, member_lamports=quote.member_lamports, venue_lamports=quote.venue_lamports,
        fee_lamports=quote.fee_lamports, slippage_bps=slippage_bps, state_after=quote.state_after, message=b"",
        last_valid_block_height=latest.last_valid_block_height, expires_at=_now() + timedelta(seconds=seconds),
        status=OrderStatus.AWAITING_SIGNATURE.value)
    db.session.add(order)
    try:
        db.session.flush()  # the id goes into the memo
    except IntegrityError as error:  # the same member asked twice at the same instant
        raise TradeError("Your previous quote on this token is still being made; try again.", 409) from error
    venue = platform_wallets.keystore().address(markets.venue_wallet(curve))
    order.message = bytes(trade_message(
        side=quote.side, member=Pubkey.from_string(user.wallet), venue=venue, mint=Pubkey.from_string(token.mint),
        decimals=token.decimals, program=program_of(token), tokens=quote.tokens,
        member_lamports=quote.member_lamports, order_id=order.id, blockhash=latest.blockhash))
    db.session.commit()
    return order


def decode_signed(order: TradeOrder, signed_base64: str) -> VersionedTransaction:
    """The member's signed transaction, refused unless it is exactly the quoted message, validly signed."""
    try:
        return member_transactions.decode_signed(order.message, order.wallet, signed_base64)
    except RefusedTransaction as error:
        raise TradeError(str(error), error.status) from error


def submit_order(user: User, order_id: int, signed_base64: str, client: SolanaRpcClient) -> TradeOrder:
    """Check the member's signature, then under the market's lock re-price, co-sign and record; send; settle.

    Raises PriceMoved (with a new quote) when the order expired or the market
    moved past its slippage, after closing the old order: nothing was sent.
    """
    order = db.session.get(TradeOrder, order_id, populate_existing=True)
    if order is None or order.user_id != user.id:
        db.session.rollback()
        raise TradeError("No such order of yours.", 404)
    try:
        transaction = decode_signed(order, signed_base64)  # no lock needed to check a signature
        curve = markets.curve_for(order.mint, lock=True)  # always the market first, then the order
        db.session.refresh(order, with_for_update=True)
        if curve is None:
            raise TradeError(NO_MARKET, 404)
        if order.status != OrderStatus.AWAITING_SIGNATURE.value:
            raise TradeError(f"This order is already {order.status.replace('_', ' ')}.", 409)
    except TradeError:
        db.session.rollback()
        raise
    if order.expires_at <= _now():
        _requote(user, order, "not signed in time", "This quote expired before it was signed; nothing moved.", client)
    moved = _market_moved(curve, order)
    if moved:
        _requote(user, order, moved, f"The price moved: {moved}. Nothing was sent.", client)
    wire = member_transactions.co_signed(transaction, platform_wallets.keystore().keypair(markets.venue_wallet(curve)))
    order.signature, order.status = str(transaction.signatures[0]), OrderStatus.SENT.value
    db.session.commit()  # the signature is known before anything is sent; the market is free again
    try:
        refused = member_transactions.send_signed(client, wire)
    except SolanaUnavailable:
        return order  # sent or not, the chain decides; settlement looks it up later
    if refused:
        return _finish(order, OrderStatus.FAILED, refused)
    return settle_sent(order, client, wait=True)


def _market_moved(curve: BondingCurve, order: TradeOrder) -> str | None:
    """Why the signed order cannot go out as it stands, or None. The caller holds the market's lock."""
    if order.venue != markets.venue_of(curve):
        return "the curve graduated into its pool since this quote"
    in_flight = _in_flight(order.mint)
    outlook = _outlook(curve, in_flight)
    tokens = int(order.token_amount)
    if order.side == "buy":
        left = _tokens_left(curve, in_flight)
        if tokens > left or (order.venue == "pool" and tokens >= left):
            return "other trades took the tokens this quote offered"
        if order.venue == "curve" and tokens == left and in_flight:
            db.session.rollback()
            raise TradeError("The last tokens on this curve are being traded; try again in a few seconds.", 409)
    if outlook == markets.state_before(order.side, tokens, int(order.venue_lamports), order.state_after):
        return None  # priced on exactly these reserves
    try:
        now = markets.fixed_trade(curve, outlook, order.side, tokens)
    except TradeError as error:
        if error.status == 409:  # the curve is selling out: no new quote to offer
            db.session.rollback()
            raise
        return str(error).rstrip(".")
    signed = int(order.member_lamports)
    # The venue never trades past its own price: a signed buy must still cover what the tokens now cost the
    # curve or pool, a signed sell must not take more than they now pay out. Otherwise a member could quote,
    # push the price with a second trade, and sign the first at the old price for a riskless profit.
    if (signed < now.venue_lamports) if order.side == "buy" else (signed > now.venue_lamports):
        return f"these tokens now {'cost' if order.side == 'buy' else 'pay'} more than the fee this quote leaves"
    if abs(now.member_lamports - signed) * BPS_DENOMINATOR > int(order.slippage_bps) * signed:
        return f"these tokens now {'cost' if order.side == 'buy' else 'pay'} beyond your slippage limit"
    return None


def _tokens_left(curve: BondingCurve, in_flight: list[TradeOrder]) -> int:
    """Tokens the venue can still give out once every sent buy takes its share (sent sells not counted)."""
    held = int(curve.pool_token_reserves or 0) if curve.phase == MarketPhase.POOL.value \
        else int(curve.real_token_reserves)
    return held - sum(int(o.token_amount) for o in in_flight if o.side == "buy")


def _requote(user: User, order: TradeOrder, reason: str, lead: str, client: SolanaRpcClient) -> None:
    """Close the order (nothing was sent), release the market, and raise PriceMoved with a new quote."""
    _close(order, OrderStatus.EXPIRED, reason)
    db.session.commit()
    amount = int(order.member_lamports) if order.side == "buy" else int(order.token_amount)
    try:
        placed = place_order(user, order.mint, order.side, amount, slippage_bps=int(order.slippage_bps),
                             expected=None, client=client)
    except TradeError as error:
        raise TradeError(f"{lead} {error}", error.status) from error
    raise PriceMoved(f"{lead} Here is a new quote.", placed)


def settle_sent(order: TradeOrder, client: SolanaRpcClient, *, wait: bool = False) -> TradeOrder:
    """Resolve a sent order from the chain: confirmed (reserves move, once), failed or expired (nothing moves)."""
    result = member_transactions.outcome(client, order.signature or "", int(order.last_valid_block_height), wait=wait)
    if result.status is None:
        return order  # still in flight (or the chain is unreachable); the sweep settles it later
    curve = markets.curve_for(order.mint, lock=True)  # the market first, then the order, as submit does
    db.session.refresh(order, with_for_update=True)
    if curve is None or order.status != OrderStatus.SENT.value:
        db.session.commit()  # someone else settled it meanwhile
        return order
    if result.status != member_transactions.CONFIRMED:
        return _finish(order, OrderStatus(result.status), result.error)
    _land(curve, order)
    _close(order, OrderStatus.CONFIRMED, None)
    graduating = curve.phase == MarketPhase.GRADUATING.value
    db.session.commit()
    if graduating:
        from webapp.services.trading.graduation import enqueue_graduation

        enqueue_graduation(order.mint)
    return order


def _land(curve: BondingCurve, order: TradeOrder) -> None:
    """Move the reserves by exactly what landed; the fee takes the gap to the signed amounts."""
    state = markets.market_state(curve)
    tokens = int(order.token_amount)
    if state != markets.state_before(order.side, tokens, int(order.venue_lamports), order.state_after):
        landed = markets.fixed_trade(curve, state, order.side, tokens)
        signed = int(order.member_lamports)
        order.venue_lamports, order.state_after = landed.venue_lamports, landed.state_after
        order.fee_lamports = signed - landed.venue_lamports if order.side == "buy" else landed.venue_lamports - signed
    markets.apply_trade(curve, order.venue, int(order.fee_lamports), order.state_after)


def _close(order: TradeOrder, status: OrderStatus, error: str | None) -> None:
    order.status, order.error, order.settled_at = status.value, error, _now()


def _finish(order: TradeOrder, status: OrderStatus, error: str | None) -> TradeOrder:
    _close(order, status, error)
    db.session.commit()
    return order


def settle_open_orders(client: SolanaRpcClient) -> int:
    """Expire unsigned quotes past their time and settle every sent order, however many a mint has.

    The listener queues this often; it returns how many orders it closed.
    """
    expired = db.session.execute(update(TradeOrder).where(
        TradeOrder.status == OrderStatus.AWAITING_SIGNATURE.value, TradeOrder.expires_at <= _now()).values(
        status=OrderStatus.EXPIRED.value, error="not signed in time", settled_at=_now()).returning(TradeOrder.id))
    closed = len(expired.all())
    db.session.commit()
    sent = db.session.scalars(select(TradeOrder).where(TradeOrder.status == OrderStatus.SENT.value)
                              .order_by(TradeOrder.id)).all()
    db.session.rollback()
    for order in sent:
        closed += settle_sent(order, client).status != OrderStatus.SENT.value
    return closed
