"""Platform wallets and the payout ledger: every token that leaves a platform wallet."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, DateTime, ForeignKey, Index, LargeBinary, Numeric, SmallInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.extensions import Model
from webapp.models.accounts import utcnow

# Token amounts can exceed 2**63 for 9-decimal mints with large supplies.
TokenAmount = Numeric(39, 0)


class PayoutReason(str, enum.Enum):
    POOL = "pool"
    BOUNTY = "bounty"
    EARNINGS = "earnings"
    VESTING = "vesting"
    MANUAL = "manual"
    REFUND = "refund"
    UNSTAKE = "unstake"  # staked tokens paid back from a token's stake escrow


class PayoutStatus(str, enum.Enum):
    PENDING = "pending"      # waiting for a transaction
    IN_FLIGHT = "in_flight"  # in a signed transaction whose fate is not final yet
    CONFIRMED = "confirmed"  # finalized on chain
    FAILED = "failed"        # refused (bad recipient, chain error); an admin may retry


class BatchStatus(str, enum.Enum):
    SIGNED = "signed"        # signature stored, maybe sent, maybe not
    FINALIZED = "finalized"  # landed and finalized without error
    FAILED = "failed"        # landed with an error: it moved nothing
    EXPIRED = "expired"      # blockhash expired and the chain never saw it


class RunStatus(str, enum.Enum):
    RUNNING = "running"
    DONE = "done"
    HALTED = "halted"


class PlatformWallet(Model):
    """A wallet the platform holds the key of (in the keystore, never here)."""

    __tablename__ = "platform_wallets"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    name: Mapped[str] = mapped_column(String(48), unique=True)
    address: Mapped[str] = mapped_column(String(44), unique=True)
    purpose: Mapped[str] = mapped_column(String(120), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class PayoutRun(Model):
    __tablename__ = "payout_runs"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    wallet_name: Mapped[str] = mapped_column(String(48))
    status: Mapped[str] = mapped_column(String(16), default=RunStatus.RUNNING.value)
    halt_reason: Mapped[str | None] = mapped_column(Text)
    total_rows: Mapped[int] = mapped_column(BigInteger, default=0)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class PayoutBatch(Model):
    """One signed transaction carrying several payouts; its signature is stored before sending."""

    __tablename__ = "payout_batches"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("payout_runs.id"), index=True)
    signature: Mapped[str] = mapped_column(String(88), unique=True)
    last_valid_block_height: Mapped[int] = mapped_column(BigInteger)
    transaction: Mapped[bytes] = mapped_column(LargeBinary)
    status: Mapped[str] = mapped_column(String(16), default=BatchStatus.SIGNED.value, index=True)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Payout(Model):
    """A promise to pay `amount` base units of `mint` to `recipient`, kept exactly once."""

    __tablename__ = "payouts"
    __table_args__ = (
        CheckConstraint("amount > 0", name="amount_positive"),
        Index("ix_payouts_status_wallet", "status", "wallet_name"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(160), unique=True)
    wallet_name: Mapped[str] = mapped_column(String(48))
    recipient: Mapped[str] = mapped_column(String(44), index=True)
    mint: Mapped[str] = mapped_column(String(44))
    amount: Mapped[int] = mapped_column(TokenAmount)
    # The mint's decimals when the payout was asked for (9 for SOL), so pages can show token
    # units for mints Momentum does not track without asking the chain while rendering.
    decimals: Mapped[int | None] = mapped_column(SmallInteger)
    reason: Mapped[str] = mapped_column(String(16))
    source_ref: Mapped[str] = mapped_column(String(120), default="")
    status: Mapped[str] = mapped_column(String(16), default=PayoutStatus.PENDING.value, index=True)
    failure_reason: Mapped[str | None] = mapped_column(Text)
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("payout_batches.id"), index=True)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("payout_runs.id"), index=True)
    signature: Mapped[str | None] = mapped_column(String(88))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    batch: Mapped[PayoutBatch | None] = relationship()
