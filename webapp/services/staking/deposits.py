"""Stakes and contributions: a transfer the member signs and the receiving wallet co-signs.

The server builds the message (paid by the member): open the receiving
wallet's token account when missing, TransferChecked the amount into it, and
a memo `momentum:<kind>:<deposit id>` that the receiving wallet signs, so no
one can land the transfer without Momentum's signature. The receiving wallet
co-signs only the exact message it built, signed by the member, while it is
fresh. A stake is credited to the member's position only once it is
confirmed on chain.
"""
from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from flask import current_app
from solders.hash import Hash
from solders.message import MessageV0
from solders.pubkey import Pubkey
from spl.token.instructions import create_idempotent_associated_token_account
from sqlalchemy import select, update

from webapp.chain import spl
from webapp.chain.rpc import SolanaRpcClient, SolanaUnavailable
from webapp.extensions import db
from webapp.models import OPEN_DEPOSIT_STATUSES, DepositKind, DepositStatus, StakeDeposit, Token, User
from webapp.money import sol_text, units_text
from webapp.services import member_transactions, platform_wallets
from webapp.services.member_transactions import (
    NETWORK_FEE_LAMPORTS,
    WALLET_RENT_MINIMUM,
    RefusedTransaction,
    program_of,
)
from webapp.services.staking import positions, wallets
from webapp.services.staking.wallets import StakeError
from webapp.services.trading.messages import unsigned

START_OVER = "Start again from the form."


@dataclass(frozen=True)
class OpenedDeposit:
    deposit: StakeDeposit
    transaction: str  # base64 wire bytes with empty signature slots, for the member's wallet


def _now() -> datetime:
    return datetime.now(UTC)


def deposit_message(*, kind: str, member: Pubkey, receiver: Pubkey, mint: Pubkey, decimals: int, program: Pubkey,
                    amount: int, deposit_id: int, blockhash: Hash) -> MessageV0:
    """The member's tokens into the receiving wallet, with a memo only the receiving wallet can sign."""
    instructions = [
        create_idempotent_associated_token_account(member, receiver, mint, program),
        *spl.transfer(member, mint, receiver, amount, decimals, program, create_recipient_account=False),
        spl.memo(receiver, f"momentum:{kind}:{deposit_id}"),
    ]
    return MessageV0.try_compile(member, instructions, [], blockhash)


def open_deposit(user: User, mint: str, kind: str, amount: int, client: SolanaRpcClient) -> OpenedDeposit:
    """Check the member's balances on chain, record the deposit and hand back the message for their wallet."""
    if kind not in (DepositKind.STAKE.value, DepositKind.FUND.value):
        raise StakeError("Choose to stake or to contribute.", 400)
    token = wallets.launched_token(mint)
    funds = member_transactions.member_funds(client, user.wallet, token)  # chain reads before any write
    if funds.token_balance < amount:
        db.session.rollback()
        raise StakeError(f"Your wallet holds {units_text(funds.token_balance, token.decimals)} {token.symbol}; "
                         f"you asked to {'stake' if kind == 'stake' else 'contribute'} "
                         f"{units_text(amount, token.decimals)} {token.symbol}.")
    lamports = funds.lamports
    if not member_transactions.leaves_wallet_usable(lamports, NETWORK_FEE_LAMPORTS):
        db.session.rollback()
        raise StakeError(f"Your wallet holds {sol_text(lamports)} SOL; the network fee is "
                         f"{sol_text(NETWORK_FEE_LAMPORTS)} SOL and {sol_text(WALLET_RENT_MINIMUM)} SOL must be "
                         "left over for rent.")
    receiver = getattr(wallets.prepare(token, client), kind)
    latest = client.get_latest_blockhash("confirmed")
    try:
        deposit = _record(user, token, kind, amount, latest.blockhash, latest.last_valid_block_height,
                          Pubkey.from_string(receiver))
    except Exception:
        db.session.rollback()
        raise
    return OpenedDeposit(deposit, base64.b64encode(unsigned(MessageV0.from_bytes(deposit.message))).decode())


def _record(user: User, token: Token, kind: str, amount: int, blockhash: Hash, last_valid: int,
            receiver: Pubkey) -> StakeDeposit:
    # a member signs one deposit per token at a time: older unsigned ones can no longer be co-signed
    db.session.execute(update(StakeDeposit).where(
        StakeDeposit.user_id == user.id, StakeDeposit.mint == token.mint,
        StakeDeposit.status == DepositStatus.AWAITING_SIGNATURE.value,
    ).values(status=DepositStatus.EXPIRED.value, error="replaced by a newer deposit", settled_at=_now()))
    seconds = int(current_app.config.get("STAKE_SIGN_SECONDS", 60))
    deposit = StakeDeposit(kind=kind, mint=token.mint, user_id=user.id, wallet=user.wallet,
                           wallet_name=wallets.wallet_name(token, kind), amount=amount, message=b"",
                           last_valid_block_height=last_valid, expires_at=_now() + timedelta(seconds=seconds),
                           status=DepositStatus.AWAITING_SIGNATURE.value)
    db.session.add(deposit)
    db.session.flush()  # the id goes into the memo
    deposit.message = bytes(deposit_message(
        kind=kind, member=Pubkey.from_string(user.wallet), receiver=receiver, mint=Pubkey.from_string(token.mint),
        decimals=token.decimals, program=program_of(token), amount=amount, deposit_id=deposit.id, blockhash=blockhash))
    db.session.commit()
    return deposit


def _locked(deposit_id: int) -> StakeDeposit | None:
    return db.session.scalar(select(StakeDeposit).where(StakeDeposit.id == deposit_id).with_for_update()
                             .execution_options(populate_existing=True))


def submit_deposit(user: User, mint: str, deposit_id: int, signed_base64: str,
                   client: SolanaRpcClient) -> StakeDeposit:
    """Check the member's signature, co-sign as the receiving wallet, send, and settle once confirmed."""
    deposit = _locked(deposit_id)
    try:
        if deposit is None or deposit.user_id != user.id or deposit.mint != mint:
            raise StakeError("No such deposit of yours.", 404)
        if deposit.status != DepositStatus.AWAITING_SIGNATURE.value:
            raise StakeError(f"This deposit is already {deposit.status.replace('_', ' ')}.", 409)
        transaction = member_transactions.decode_signed(deposit.message, deposit.wallet, signed_base64,
                                                        start_over=START_OVER)
        height = client.get_block_height("confirmed")  # and a chain that cannot be reached refuses it here
    except RefusedTransaction as error:
        db.session.rollback()
        raise StakeError(str(error), error.status) from error
    except (StakeError, SolanaUnavailable):
        db.session.rollback()
        raise
    if deposit.expires_at <= _now() or height > deposit.last_valid_block_height:
        _finish(deposit, DepositStatus.EXPIRED, "not signed in time")
        raise StakeError(f"This deposit expired before it was signed; nothing moved. {START_OVER}", 409)
    keypair = platform_wallets.keystore().keypair(deposit.wallet_name)
    wire = member_transactions.co_signed(transaction, keypair)
    deposit.signature, deposit.status = str(transaction.signatures[0]), DepositStatus.SENT.value
    db.session.commit()  # the signature is known before anything is sent
    try:
        refused = member_transactions.send_signed(client, wire)
    except SolanaUnavailable:
        return deposit  # sent or not, the chain decides; the sweep looks it up
    if refused:
        return _finish(deposit, DepositStatus.FAILED, refused)
    return settle(deposit, client, wait=True)


def settle(deposit: StakeDeposit, client: SolanaRpcClient, *, wait: bool = False) -> StakeDeposit:
    """Resolve a sent deposit from the chain; a confirmed stake is credited to the position, once."""
    result = member_transactions.outcome(client, deposit.signature or "", int(deposit.last_valid_block_height),
                                         wait=wait)
    if result.status is None:
        return deposit  # still in flight, or the chain is unreachable: the sweep settles it
    locked = _locked(deposit.id)  # make sure no one settled it meanwhile
    if locked is None or locked.status != DepositStatus.SENT.value:
        db.session.commit()
        return deposit
    if result.status == member_transactions.CONFIRMED and locked.kind == DepositKind.STAKE.value:
        positions.credit(locked.user_id, locked.mint, locked.wallet, int(locked.amount))
    return _finish(locked, DepositStatus(result.status), result.error)


def _finish(deposit: StakeDeposit, status: DepositStatus, error: str | None) -> StakeDeposit:
    deposit.status, deposit.error, deposit.settled_at = status.value, error, _now()
    db.session.commit()
    return deposit


def settle_open_deposits(client: SolanaRpcClient) -> int:
    """Expire unsigned deposits past their time and settle sent ones (the sweep); how many were closed."""
    ids = db.session.scalars(select(StakeDeposit.id).where(StakeDeposit.status.in_(OPEN_DEPOSIT_STATUSES))
                             .order_by(StakeDeposit.id)).all()
    db.session.rollback()
    closed = 0
    for deposit_id in ids:
        deposit = _locked(deposit_id)
        if deposit is None or deposit.status not in OPEN_DEPOSIT_STATUSES:
            db.session.rollback()
            continue
        if deposit.status == DepositStatus.AWAITING_SIGNATURE.value:
            if deposit.expires_at <= _now():
                _finish(deposit, DepositStatus.EXPIRED, "not signed in time")
                closed += 1
            else:
                db.session.rollback()
            continue
        db.session.rollback()  # no lock held while the chain is asked
        closed += settle(deposit, client).status not in OPEN_DEPOSIT_STATUSES
    return closed
