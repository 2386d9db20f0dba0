"""Tier 1 trading: each Wild Fires token's bonding curve (then its pool) and the orders placed on it."""
from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from webapp.extensions import Model
from webapp.models.accounts import utcnow
from webapp.models.tokens import TokenAmount


class MarketPhase(enum.StrEnum):
    CURVE = "curve"            # trading on the bonding curve
    GRADUATING = "graduating"  # sold out; the graduation transaction is on its way
    POOL = "pool"              # graduated: trading in the constant-product pool


class OrderStatus(enum.StrEnum):
    AWAITING_SIGNATURE = "awaiting_signature"  # quoted; the member's wallet has not signed yet
    SENT = "sent"                              # both signatures on it, sent to the chain
    CONFIRMED = "confirmed"                    # landed; the market's reserves moved
    EXPIRED = "expired"                        # never signed in time (or its blockhash expired): nothing moved
    FAILED = "failed"                          # the chain refused it: nothing moved


OPEN_ORDER_STATUSES = (OrderStatus.AWAITING_SIGNATURE.value, OrderStatus.SENT.value)


class BondingCurve(Model):
    """A token's market: a Wild Fires curve's parameters and reserves, then the pool it graduated into;
    or a Stable Grounds pool, in the pool phase from launch (no curve: its curve columns stay zero).

    Reserves here move only when a trade's transaction is confirmed on chain.
    The vault wallet holds the unsold tokens, the raised SOL and the curve's fees.
    """

    __tablename__ = "bonding_curves"
    __table_args__ = (
        CheckConstraint("phase IN ('curve', 'graduating', 'pool')", name="phase_known"),
        CheckConstraint("real_token_reserves >= 0 AND tokens_sold >= 0 AND real_sol_reserves >= 0",
                        name="reserves_not_negative"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    mint: Mapped[str] = mapped_column(String(44), unique=True)
    launch_id: Mapped[int | None] = mapped_column(ForeignKey("launch_applications.id"))
    vault_wallet: Mapped[str] = mapped_column(String(64))
    pool_wallet: Mapped[str] = mapped_column(String(64))
    phase: Mapped[str] = mapped_column(String(16), default=MarketPhase.CURVE.value)
    virtual_sol: Mapped[int] = mapped_column(BigInteger)
    virtual_tokens: Mapped[int] = mapped_column(TokenAmount)
    sellable_tokens: Mapped[int] = mapped_column(TokenAmount)
    total_supply: Mapped[int] = mapped_column(TokenAmount)
    fee_bps: Mapped[int] = mapped_column(Integer)
    graduation_fee_lamports: Mapped[int] = mapped_column(BigInteger)
    virtual_sol_reserves: Mapped[int] = mapped_column(BigInteger)
    virtual_token_reserves: Mapped[int] = mapped_column(TokenAmount)
    real_sol_reserves: Mapped[int] = mapped_column(BigInteger, default=0)
    real_token_reserves: Mapped[int] = mapped_column(TokenAmount)
    tokens_sold: Mapped[int] = mapped_column(TokenAmount, default=0)
    curve_fees_lamports: Mapped[int] = mapped_column(BigInteger, default=0)
    pool_sol_reserves: Mapped[int | None] = mapped_column(BigInteger)
    pool_token_reserves: Mapped[int | None] = mapped_column(TokenAmount)
    pool_fees_lamports: Mapped[int] = mapped_column(BigInteger, default=0)
    graduation_signature: Mapped[str | None] = mapped_column(String(88))
    graduation_last_valid_block_height: Mapped[int | None] = mapped_column(BigInteger)
    graduated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class TradeOrder(Model):
    """One member's trade: quoted at exact amounts, signed by the member, then by the vault, then sent.

    Any number of members hold quotes on one mint at once; each member holds at
    most one live quote per mint (a partial unique index: a new quote replaces
    their old one). The market is locked only while a signed order is checked
    and sent (webapp.services.trading.orders).
    """

    __tablename__ = "trade_orders"
    __table_args__ = (
        CheckConstraint("side IN ('buy', 'sell')", name="side_known"),
        CheckConstraint("venue IN ('curve', 'pool')", name="venue_known"),
        CheckConstraint("token_amount > 0 AND member_lamports > 0", name="amounts_positive"),
        Index("one_live_quote_per_member", "mint", "user_id", unique=True,
              postgresql_where=text("status = 'awaiting_signature'")),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    mint: Mapped[str] = mapped_column(String(44), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    wallet: Mapped[str] = mapped_column(String(44))
    side: Mapped[str] = mapped_column(String(4))
    venue: Mapped[str] = mapped_column(String(8))
    token_amount: Mapped[int] = mapped_column(TokenAmount)        # tokens bought or sold
    member_lamports: Mapped[int] = mapped_column(BigInteger)      # paid (buy, fee included) or received (sell)
    # into (buy) or out of (sell) the reserves, and the fee: as quoted, then as landed (the fee absorbs any
    # move of the market between quote and landing, within the member's slippage)
    venue_lamports: Mapped[int] = mapped_column(BigInteger)
    fee_lamports: Mapped[int] = mapped_column(BigInteger)
    slippage_bps: Mapped[int] = mapped_column(Integer)
    state_after: Mapped[dict[str, Any]] = mapped_column(JSONB)    # the reserves after it (quoted, then landed)
    message: Mapped[bytes] = mapped_column(LargeBinary)           # the exact message both parties sign
    last_valid_block_height: Mapped[int] = mapped_column(BigInteger)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    signature: Mapped[str | None] = mapped_column(String(88), unique=True)
    status: Mapped[str] = mapped_column(String(20), default=OrderStatus.AWAITING_SIGNATURE.value, index=True)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    settled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
