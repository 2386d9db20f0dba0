"""Trade orders: quote under the market's lock, the member signs, the vault co-signs and sends.

One order per mint is open at a time, so no quote is priced on reserves that
another trade is about to move. The vault signs last, only after checking
the member signed exactly the quoted message and the quote is still fresh: a
member can never hold a vault-signed transaction, so an abandoned quote stops
blocking the market when it expires, and a stale one can never land.
"""
from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from flask import current_app
from solders.message import MessageV0
from solders.pubkey import Pubkey
from solders.transaction import VersionedTransaction
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from webapp.chain.rpc import SolanaRpcClient, SolanaUnavailable
from webapp.chain.rpc.client import LatestBlockhash
from webapp.extensions import db
from webapp.models import OPEN_ORDER_STATUSES, BondingCurve, OrderStatus, Token, TradeOrder, User
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
MAX_SLIPPAGE_BPS = 5_000


@dataclass(frozen=True)
class PlacedOrder:
    order: TradeOrder
    transaction: str  # base64 wire bytes with empty signature slots, for the member's wallet


def _now() -> datetime:
    return datetime.now(UTC)


def place_order(user: User, mint: str, side: str, amount: int, *, slippage_bps: int, expected: int | None,
                client: SolanaRpcClient) -> PlacedOrder:
    """Quote on fresh reserves and hold the market for this order until it lands or expires.

    `expected` is what the member saw in the preview (tokens for a buy,
    lamports for a sell); the trade is refused when the fresh quote is worse
    by more than `slippage_bps`.
    """
    if not 0 <= slippage_bps <= MAX_SLIPPAGE_BPS:
        raise TradeError(f"Slippage must be between 0% and {MAX_SLIPPAGE_BPS // 100}%.", 400)
    token = db.session.scalar(select(Token).where(Token.mint == mint))
    if token is None:
        db.session.rollback()
        raise TradeError("This token has no bonding curve or pool on Momentum.", 404)
    # chain reads first: the market's lock is then held for database work only
    funds = member_funds(client, user.wallet, token)
    latest = client.get_latest_blockhash("confirmed")
    try:
        while True:
            curve = markets.curve_for(mint, lock=True)
            if curve is None:
                raise TradeError("This token has no bonding curve or pool on Momentum.", 404)
            if not _clear_the_way(curve, user, client):
                break
            db.session.commit()  # keep the settled order, then lock again and look afresh
        quote = markets.quote(curve, side, amount)
        _check_slippage(quote, expected, slippage_bps)
        _check_member_can_pay(funds, quote, token)
        order = _record(user, token, curve, quote, slippage_bps, latest)
    except Exception:
        db.session.rollback()
        raise
    return PlacedOrder(order, base64.b64encode(unsigned_transaction(order)).decode())


def unsigned_transaction(order: TradeOrder) -> bytes:
    return unsigned(MessageV0.from_bytes(order.message))


def _clear_the_way(curve: BondingCurve, user: User, client: SolanaRpcClient) -> bool:
    """Close the mint's open order when it can be closed (True); refuse while another member's is live."""
    order = open_order(curve.mint)
    if order is None:
        return False
    if _close_if_done(order, curve, client, replaced_by=user):
        return True
    raise TradeError("Another trade on this token is being signed or confirmed; try again in a few seconds.", 409)


def _close_if_done(order: TradeOrder, curve: BondingCurve, client: SolanaRpcClient,
                   replaced_by: User | None = None) -> bool:
    """Expire an unsigned quote past its time (or replaced by its own member), settle a sent one from the
    chain; True when the order is no longer open. The caller holds the market's lock and commits."""
    if order.status == OrderStatus.AWAITING_SIGNATURE.value:
        if replaced_by is not None and order.user_id == replaced_by.id:
            _close(order, OrderStatus.EXPIRED, "replaced by a newer quote")
        elif order.expires_at <= _now():
            _close(order, OrderStatus.EXPIRED, "not signed in time")
    elif order.status == OrderStatus.SENT.value:
        settle_sent(order, curve, client)
    return order.status not in OPEN_ORDER_STATUSES


def open_order(mint: str) -> TradeOrder | None:
    """The mint's open order, locked: a submit in progress finishes first, so its status is never overwritten."""
    return db.session.scalar(select(TradeOrder).where(TradeOrder.mint == mint, TradeOrder.status.in_(
        OPEN_ORDER_STATUSES)).with_for_update().execution_options(populate_existing=True))


def _check_slippage(quote: markets.Quote, expected: int | None, slippage_bps: int) -> None:
    if expected is None or expected <= 0:
        return
    received = quote.tokens if quote.side == "buy" else quote.member_lamports
    floor = expected * (BPS_DENOMINATOR - slippage_bps) // BPS_DENOMINATOR
    if received < floor:
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
    seconds = int(current_app.config.get("TRADE_QUOTE_SECONDS", 45))
    order = TradeOrder(
        mint=token.mint, user_id=user.id, wallet=user.wallet, side=quote.side, venue=quote.venue,
        token_amount=quote.tokens, member_lamports=quote.member_lamports, venue_lamports=quote.venue_lamports,
        fee_lamports=quote.fee_lamports, slippage_bps=slippage_bps, state_after=quote.state_after, message=b"",
        last_valid_block_height=latest.last_valid_block_height, expires_at=_now() + timedelta(seconds=seconds),
        status=OrderStatus.AWAITING_SIGNATURE.value)
    db.session.add(order)
    try:
        db.session.flush()  # the id goes into the memo
    except IntegrityError as error:  # another order holds the market (the lock makes this a backstop)
        raise TradeError("Another trade on this token is being signed; try again in a few seconds.", 409) from error
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
    """Check the member's signature, co-sign as the venue, send, and settle once confirmed."""
    order = db.session.scalar(select(TradeOrder).where(TradeOrder.id == order_id).with_for_update()
                              .execution_options(populate_existing=True))
    if order is None or order.user_id != user.id:
        db.session.rollback()
        raise TradeError("No such order of yours.", 404)
    if order.status != OrderStatus.AWAITING_SIGNATURE.value:
        db.session.rollback()
        raise TradeError(f"This order is already {order.status.replace('_', ' ')}.", 409)
    if order.expires_at <= _now():
        _close(order, OrderStatus.EXPIRED, "not signed in time")
        db.session.commit()
        raise TradeError("This quote expired before it was signed; nothing moved. Ask for a new quote.", 409)
    try:
        transaction = decode_signed(order, signed_base64)
    except TradeError:
        db.session.rollback()
        raise
    curve = markets.curve_for(order.mint)
    assert curve is not None
    wire = member_transactions.co_signed(transaction, platform_wallets.keystore().keypair(markets.venue_wallet(curve)))
    order.signature, order.status = str(transaction.signatures[0]), OrderStatus.SENT.value
    db.session.commit()  # the signature is known before anything is sent
    try:
        refused = member_transactions.send_signed(client, wire)
    except SolanaUnavailable:
        return order  # sent or not, the chain decides; settlement looks it up later
    if refused:
        return _finish(order, OrderStatus.FAILED, refused)
    return settle_sent(order, None, client, wait=True)


def settle_sent(order: TradeOrder, curve: BondingCurve | None, client: SolanaRpcClient, *,
                wait: bool = False) -> TradeOrder:
    """Resolve a sent order from the chain: confirmed (reserves move), failed or expired (nothing moves).

    With `curve` the caller holds the market's lock and commits; without, this locks and commits itself.
    """
    commit = curve is None
    result = member_transactions.outcome(client, order.signature or "", int(order.last_valid_block_height), wait=wait)
    if result.status is None:
        return order  # still in flight (or the chain is unreachable); settled by the next quote or the sweep
    if result.status != member_transactions.CONFIRMED:
        return _finish(order, OrderStatus(result.status), result.error, commit=commit)
    if curve is None:  # lock the market, then make sure no one settled this order meanwhile
        curve = markets.curve_for(order.mint, lock=True)
        db.session.refresh(order, with_for_update=True)
        if curve is None or order.status != OrderStatus.SENT.value:
            db.session.commit()
            return order
    markets.apply_trade(curve, order.venue, int(order.fee_lamports), order.state_after)
    _finish(order, OrderStatus.CONFIRMED, None, commit=commit)
    if curve.phase == "graduating":
        from webapp.services.trading.graduation import enqueue_graduation

        db.session.flush()
        enqueue_graduation(order.mint)  # the job waits on the market's lock until this is committed
    return order


def _close(order: TradeOrder, status: OrderStatus, error: str | None) -> None:
    order.status, order.error, order.settled_at = status.value, error, _now()


def _finish(order: TradeOrder, status: OrderStatus, error: str | None, *, commit: bool = True) -> TradeOrder:
    _close(order, status, error)
    if commit:
        db.session.commit()
    return order


def settle_open_orders(client: SolanaRpcClient) -> int:
    """Settle every sent order and expire unsigned ones past their time (the listener queues this often)."""
    mints = db.session.scalars(select(TradeOrder.mint).where(TradeOrder.status.in_(OPEN_ORDER_STATUSES))).all()
    db.session.rollback()
    settled = 0
    for mint in mints:
        curve = markets.curve_for(mint, lock=True)
        order = open_order(mint)
        if curve is None or order is None:
            db.session.rollback()
            continue
        settled += _close_if_done(order, curve, client)
        db.session.commit()
    return settled
