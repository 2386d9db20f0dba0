"""Stake positions: credited by confirmed stakes, reduced by unstakes that the payout engine pays back.

An unstake is one database transaction: lock the position, reduce it, write
the withdrawal and its payout row (idempotency key `unstake:<withdrawal
id>`), commit. Only then is the escrow's payout run queued, and the engine
pays each payout row exactly once.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert

from webapp.chain.rpc import SolanaRpcClient
from webapp.extensions import db
from webapp.models import (
    DepositKind,
    DepositStatus,
    PayoutReason,
    StakeDeposit,
    StakePosition,
    StakeWithdrawal,
    Token,
    User,
)
from webapp.money import units_text
from webapp.services.payouts import runs
from webapp.services.payouts.gateway import MintInfo
from webapp.services.payouts.requests import PayoutRequest, request_payouts
from webapp.services.payouts.rpc_gateway import RpcChainGateway
from webapp.services.staking import wallets
from webapp.services.staking.wallets import StakeError


def credit(user_id: int, mint: str, wallet: str, amount: int) -> None:
    """Add a confirmed stake to the member's one position on the mint (the caller commits)."""
    now = datetime.now(UTC)
    statement = insert(StakePosition).values(user_id=user_id, mint=mint, wallet=wallet, amount=amount,
                                             created_at=now, updated_at=now)
    db.session.execute(statement.on_conflict_do_update(
        constraint="one_position_per_member_and_mint",
        set_={"amount": StakePosition.amount + statement.excluded.amount, "updated_at": now}))


def staked(user_id: int, mint: str) -> int:
    return int(db.session.scalar(select(StakePosition.amount).where(
        StakePosition.user_id == user_id, StakePosition.mint == mint)) or 0)


def contributed(user_id: int, mint: str) -> int:
    return int(db.session.scalar(select(func.coalesce(func.sum(StakeDeposit.amount), 0)).where(
        StakeDeposit.user_id == user_id, StakeDeposit.mint == mint, StakeDeposit.kind == DepositKind.FUND.value,
        StakeDeposit.status == DepositStatus.CONFIRMED.value)) or 0)


def in_flight(user_id: int, mint: str) -> int:
    """Stakes and contributions sent but not settled yet."""
    return int(db.session.scalar(select(func.count()).select_from(StakeDeposit).where(
        StakeDeposit.user_id == user_id, StakeDeposit.mint == mint,
        StakeDeposit.status == DepositStatus.SENT.value)) or 0)


class _KnownMint:
    """The payout request's only chain question, answered before any row is locked."""

    def __init__(self, info: MintInfo) -> None:
        self.info = info

    def mint_info(self, mint: str) -> MintInfo | None:
        return self.info


def unstake(user: User, mint: str, amount: int, client: SolanaRpcClient) -> StakeWithdrawal:
    """Reduce the position and ask for the payout back in one commit, then queue the escrow's payout run."""
    token = wallets.launched_token(mint)
    held = staked(user.id, mint)
    if amount > held:  # a quick refusal; the locked check below is the one that counts
        db.session.rollback()
        raise StakeError(_more_than_staked(token, held, amount))
    info = RpcChainGateway(client).mint_info(mint)  # chain reads before the position is locked
    if info is None:
        db.session.rollback()
        raise StakeError("The token's mint cannot be read on this cluster right now.", 503)
    wallets.prepare(token, client)  # the escrow pays the payout's fee: keep its float topped up
    try:
        withdrawal = _withdraw(user, token, amount, _KnownMint(info))
    except Exception:
        db.session.rollback()
        raise
    runs.enqueue_run(wallets.stake_wallet_name(token))
    return withdrawal


def _more_than_staked(token: Token, held: int, amount: int) -> str:
    return (f"You have {units_text(held, token.decimals)} {token.symbol} staked; "
            f"you asked to unstake {units_text(amount, token.decimals)} {token.symbol}.")


def _withdraw(user: User, token: Token, amount: int, chain: _KnownMint) -> StakeWithdrawal:
    position = db.session.scalar(select(StakePosition).where(
        StakePosition.user_id == user.id, StakePosition.mint == token.mint).with_for_update()
        .execution_options(populate_existing=True))
    held = int(position.amount) if position else 0
    if position is None or amount > held:
        raise StakeError(_more_than_staked(token, held, amount))
    position.amount = held - amount
    position.updated_at = datetime.now(UTC)
    withdrawal = StakeWithdrawal(user_id=user.id, mint=token.mint, wallet=user.wallet, amount=amount)
    db.session.add(withdrawal)
    db.session.flush()
    key = f"unstake:{withdrawal.id}"
    [payout] = request_payouts([PayoutRequest(wallets.stake_wallet_name(token), user.wallet, token.mint, amount,
                                              PayoutReason.UNSTAKE.value, key, key)], chain, commit=False)
    withdrawal.payout_id = payout.id
    db.session.commit()
    return withdrawal


@dataclass(frozen=True)
class MemberStake:
    """What the stake card shows a member."""

    staked: int
    contributed: int
    in_flight: int
    wallet_balance: int | None  # None when the chain cannot be read now


def member_stake(user: User, token: Token, wallet_balance: int | None) -> MemberStake:
    return MemberStake(staked(user.id, token.mint), contributed(user.id, token.mint), in_flight(user.id, token.mint),
                       wallet_balance)
