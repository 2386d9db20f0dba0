"""The chain index: transactions and their labelled events, and what they drive.

Amounts are integers in base units (token base units, lamports); columns that
can exceed 2**63 are Numeric(39, 0). Prices are exact ratios: `*_lamports`
paid per `*_units` token base units, never a float.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from webapp.extensions import Model
from webapp.models.accounts import utcnow

Amount = Numeric(39, 0)


class IndexedTransaction(Model):
    """One transaction, indexed once (unique signature) at `confirmed`, marked final at `finalized`."""

    __tablename__ = "chain_transactions"
    __table_args__ = (Index("ix_chain_transactions_unfinal", "slot", postgresql_where="commitment = 'confirmed'"),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    signature: Mapped[str] = mapped_column(String(88), unique=True)
    slot: Mapped[int] = mapped_column(BigInteger, index=True)
    block_time: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    fee_payer: Mapped[str | None] = mapped_column(String(44))
    fee: Mapped[int] = mapped_column(BigInteger, default=0)
    failed: Mapped[bool] = mapped_column(Boolean, default=False)
    error: Mapped[str | None] = mapped_column(Text)
    commitment: Mapped[str] = mapped_column(String(16), default="confirmed")
    # Tracked mints whose derived data it changed, and the token accounts whose balance it set:
    # what must be recomputed if the transaction disappears before it is finalized.
    mints: Mapped[list[str]] = mapped_column(ARRAY(String(44)), default=list)
    token_accounts: Mapped[list[str]] = mapped_column(ARRAY(String(44)), default=list)
    indexed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class TransactionEvent(Model):
    """One labelled event (webapp.chain.classify.ChainEvent) of an indexed transaction."""

    __tablename__ = "chain_events"
    __table_args__ = (
        UniqueConstraint("transaction_id", "position", name="uq_chain_events_transaction_position"),
        Index("ix_chain_events_mint_slot", "mint", "slot"),
        Index("ix_chain_events_wallet_slot", "wallet", "slot"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    transaction_id: Mapped[int] = mapped_column(ForeignKey("chain_transactions.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(SmallInteger)
    signature: Mapped[str] = mapped_column(String(88))
    slot: Mapped[int] = mapped_column(BigInteger)
    block_time: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    label: Mapped[str] = mapped_column(String(16))
    wallet: Mapped[str | None] = mapped_column(String(44))
    mint: Mapped[str | None] = mapped_column(String(44))
    token_amount: Mapped[int] = mapped_column(Amount, default=0)
    sol_amount: Mapped[int] = mapped_column(Amount, default=0)
    other_mint: Mapped[str | None] = mapped_column(String(44))
    other_amount: Mapped[int | None] = mapped_column(Amount)
    counterparty: Mapped[str | None] = mapped_column(String(44))
    program: Mapped[str | None] = mapped_column(String(44))
    reason: Mapped[str | None] = mapped_column(Text)


class HolderAccount(Model):
    """A token account's balance, from the newest transaction's postTokenBalances (or read from chain).

    `slot` guards against an older transaction overwriting a newer balance;
    `pre_amount` orders two transactions of the same slot (one's pre is the
    other's post); `stale` marks a same-slot tie that only the chain can settle.
    """

    __tablename__ = "holder_accounts"
    __table_args__ = (Index("ix_holder_accounts_mint_owner", "mint", "owner"),)

    account: Mapped[str] = mapped_column(String(44), primary_key=True)
    mint: Mapped[str] = mapped_column(String(44))
    owner: Mapped[str | None] = mapped_column(String(44))
    amount: Mapped[int] = mapped_column(Amount)
    slot: Mapped[int] = mapped_column(BigInteger)
    signature: Mapped[str | None] = mapped_column(String(88))
    pre_amount: Mapped[int | None] = mapped_column(Amount)
    stale: Mapped[bool] = mapped_column(Boolean, default=False)


class TokenTrade(Model):
    """A buy or sell of a tracked token for SOL; its price is sol_amount / token_amount exactly."""

    __tablename__ = "token_trades"
    __table_args__ = (
        UniqueConstraint("signature", "position", name="uq_token_trades_signature_position"),
        Index("ix_token_trades_mint_slot", "mint", "slot"),
        Index("ix_token_trades_mint_time", "mint", "block_time"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    transaction_id: Mapped[int] = mapped_column(ForeignKey("chain_transactions.id", ondelete="CASCADE"), index=True)
    signature: Mapped[str] = mapped_column(String(88))
    position: Mapped[int] = mapped_column(SmallInteger)
    mint: Mapped[str] = mapped_column(String(44))
    wallet: Mapped[str | None] = mapped_column(String(44))
    side: Mapped[str] = mapped_column(String(4))
    token_amount: Mapped[int] = mapped_column(Amount)
    sol_amount: Mapped[int] = mapped_column(Amount)
    slot: Mapped[int] = mapped_column(BigInteger)
    block_time: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    program: Mapped[str | None] = mapped_column(String(44))


class Candle(Model):
    """OHLCV for one mint, interval and bucket; every price an exact (lamports, units) ratio.

    Open and close are the first and last trade by (slot, signature): trades of one
    slot have no public order, so the signature breaks the tie deterministically.
    """

    __tablename__ = "token_candles"

    mint: Mapped[str] = mapped_column(String(44), primary_key=True)
    interval_seconds: Mapped[int] = mapped_column(Integer, primary_key=True)
    starts_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), primary_key=True)
    open_lamports: Mapped[int] = mapped_column(Amount)
    open_units: Mapped[int] = mapped_column(Amount)
    open_slot: Mapped[int] = mapped_column(BigInteger)
    open_signature: Mapped[str] = mapped_column(String(88))
    high_lamports: Mapped[int] = mapped_column(Amount)
    high_units: Mapped[int] = mapped_column(Amount)
    low_lamports: Mapped[int] = mapped_column(Amount)
    low_units: Mapped[int] = mapped_column(Amount)
    close_lamports: Mapped[int] = mapped_column(Amount)
    close_units: Mapped[int] = mapped_column(Amount)
    close_slot: Mapped[int] = mapped_column(BigInteger)
    close_signature: Mapped[str] = mapped_column(String(88))
    volume_lamports: Mapped[int] = mapped_column(Amount)
    volume_units: Mapped[int] = mapped_column(Amount)
    trades: Mapped[int] = mapped_column(Integer)


class TokenMarket(Model):
    """Last trade price and market cap of a tracked mint, kept current by the indexer."""

    __tablename__ = "token_markets"

    mint: Mapped[str] = mapped_column(String(44), primary_key=True)
    price_lamports: Mapped[int] = mapped_column(Amount)
    price_units: Mapped[int] = mapped_column(Amount)
    price_slot: Mapped[int] = mapped_column(BigInteger)
    price_signature: Mapped[str] = mapped_column(String(88))
    market_cap_lamports: Mapped[int] = mapped_column(Amount, default=0)
    trades: Mapped[int] = mapped_column(BigInteger, default=0)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class WalletActivity(Model):
    """A wallet that acted on a token on a day (UTC): involvement is the count per day."""

    __tablename__ = "token_wallet_days"

    mint: Mapped[str] = mapped_column(String(44), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    wallet: Mapped[str] = mapped_column(String(44), primary_key=True)


class ChainCheckpoint(Model):
    """How far the listener has followed one address: every signature up to `last_signature` is queued."""

    __tablename__ = "chain_checkpoints"

    address: Mapped[str] = mapped_column(String(44), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # mint | wallet
    last_signature: Mapped[str | None] = mapped_column(String(88))
    last_slot: Mapped[int | None] = mapped_column(BigInteger)
    backfill_total: Mapped[int] = mapped_column(BigInteger, default=0)
    backfill_done: Mapped[int] = mapped_column(BigInteger, default=0)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class IndexFailure(Model):
    """The dead-letter table: a transaction that could not be indexed, with why; an admin may retry."""

    __tablename__ = "chain_dead_letters"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    signature: Mapped[str] = mapped_column(String(88), unique=True)
    address: Mapped[str | None] = mapped_column(String(44))
    error: Mapped[str] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=1)
    first_failed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_failed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    retried_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ReconciliationRun(Model):
    """One comparison of a mint's indexed holder balances with its token accounts on chain."""

    __tablename__ = "chain_reconciliations"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    mint: Mapped[str] = mapped_column(String(44), index=True)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    accounts_checked: Mapped[int] = mapped_column(Integer, default=0)
    mismatches: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)


class HolderMismatch(Model):
    """A token account whose indexed balance differs from the chain's."""

    __tablename__ = "chain_holder_mismatches"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("chain_reconciliations.id", ondelete="CASCADE"), index=True)
    mint: Mapped[str] = mapped_column(String(44))
    account: Mapped[str] = mapped_column(String(44))
    owner: Mapped[str | None] = mapped_column(String(44))
    indexed_amount: Mapped[int] = mapped_column(Amount)
    chain_amount: Mapped[int] = mapped_column(Amount)
    chain_slot: Mapped[int | None] = mapped_column(BigInteger)
