"""Staking and community funds of tokens launched on Momentum.

A member's stake or contribution is a deposit: a transfer into the token's
stake escrow (`stake_<token id>`) or community fund (`fund_<token id>`) that
the member signs and the receiving wallet co-signs. A stake is credited to
the member's position only once its transaction is confirmed; an unstake
reduces the position and asks the payout engine to pay the tokens back.
"""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from webapp.extensions import Model
from webapp.models.accounts import utcnow
from webapp.models.tokens import TokenAmount

STAKE_WALLET_PREFIX = "stake_"  # stake escrows: the indexer labels transfers in and out stake / unstake
FUND_WALLET_PREFIX = "fund_"    # community funds: contributions stay plain transfers


class DepositKind(enum.StrEnum):
    STAKE = "stake"  # into the stake escrow, credited to the member's position
    FUND = "fund"    # a contribution to the community fund, not returned


class DepositStatus(enum.StrEnum):
    AWAITING_SIGNATURE = "awaiting_signature"  # built; the member's wallet has not signed yet
    SENT = "sent"                              # both signatures on it, sent to the chain
    CONFIRMED = "confirmed"                    # landed; a stake is credited to the position
    EXPIRED = "expired"                        # never signed in time, replaced, or its blockhash expired: nothing moved
    FAILED = "failed"                          # the chain refused it: nothing moved


OPEN_DEPOSIT_STATUSES = (DepositStatus.AWAITING_SIGNATURE.value, DepositStatus.SENT.value)


class StakeDeposit(Model):
    """One stake or contribution: the exact message both parties sign, then its fate on chain."""

    __tablename__ = "stake_deposits"
    __table_args__ = (
        CheckConstraint("kind IN ('stake', 'fund')", name="kind_known"),
        CheckConstraint("status IN ('awaiting_signature', 'sent', 'confirmed', 'expired', 'failed')",
                        name="status_known"),
        CheckConstraint("amount > 0", name="amount_positive"),
        Index("ix_stake_deposits_open", "status", postgresql_where="status IN ('awaiting_signature', 'sent')"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))
    mint: Mapped[str] = mapped_column(String(44), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    wallet: Mapped[str] = mapped_column(String(44))
    wallet_name: Mapped[str] = mapped_column(String(48))          # the receiving platform wallet
    amount: Mapped[int] = mapped_column(TokenAmount)
    message: Mapped[bytes] = mapped_column(LargeBinary)           # the exact message both parties sign
    last_valid_block_height: Mapped[int] = mapped_column(BigInteger)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    signature: Mapped[str | None] = mapped_column(String(88), unique=True)
    status: Mapped[str] = mapped_column(String(20), default=DepositStatus.AWAITING_SIGNATURE.value)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    settled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class StakePosition(Model):
    """What a member has staked on a token and not taken back: confirmed stakes less unstakes."""

    __tablename__ = "stake_positions"
    __table_args__ = (
        UniqueConstraint("user_id", "mint", name="one_position_per_member_and_mint"),
        CheckConstraint("amount >= 0", name="amount_not_negative"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    mint: Mapped[str] = mapped_column(String(44), index=True)
    wallet: Mapped[str] = mapped_column(String(44))
    amount: Mapped[int] = mapped_column(TokenAmount, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class StakeWithdrawal(Model):
    """An unstake: the position was reduced and this payout returns the tokens, exactly once."""

    __tablename__ = "stake_withdrawals"
    __table_args__ = (CheckConstraint("amount > 0", name="amount_positive"),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    mint: Mapped[str] = mapped_column(String(44), index=True)
    wallet: Mapped[str] = mapped_column(String(44))
    amount: Mapped[int] = mapped_column(TokenAmount)
    payout_id: Mapped[int | None] = mapped_column(ForeignKey("payouts.id"), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
