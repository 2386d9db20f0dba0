"""Tracked tokens: the SPL mints the platform indexes (the tokens issue extends this model)."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Integer,
    LargeBinary,
    Numeric,
    SmallInteger,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column

from webapp.extensions import Model
from webapp.models.accounts import utcnow

# Supplies of 9-decimal mints exceed 2**63 base units.
TokenAmount = Numeric(39, 0)


class TokenProgram(enum.StrEnum):
    TOKEN = "token"            # TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA
    TOKEN_2022 = "token-2022"  # TokenzQdBNbLqP5VEhdkAS6EPFLC1PHnBqCXEpPxuEb


class Tier(enum.StrEnum):
    WILD_FIRES = "wild_fires"
    STABLE_GROUNDS = "stable_grounds"


class TokenImage(Model):
    """A token's picture: uploaded with a launch application, checked and re-encoded, then kept here.

    Keyed by the SHA-256 of the stored bytes, so its URL never changes meaning and caches keep it for good.
    """

    __tablename__ = "token_images"

    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    content_type: Mapped[str] = mapped_column(String(32))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Token(Model):
    """An SPL mint the platform tracks: every transaction touching it is indexed."""

    __tablename__ = "tokens"
    __table_args__ = (
        CheckConstraint("program IN ('token', 'token-2022')", name="program_known"),
        CheckConstraint("tier IS NULL OR tier IN ('wild_fires', 'stable_grounds')", name="tier_known"),
        CheckConstraint("decimals BETWEEN 0 AND 255", name="decimals_range"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    mint: Mapped[str] = mapped_column(String(44), unique=True)
    name: Mapped[str] = mapped_column(String(64), default="", server_default="")
    symbol: Mapped[str] = mapped_column(String(16), default="", server_default="")
    decimals: Mapped[int] = mapped_column(SmallInteger)
    # Base units; kept current from indexed transactions after `supply_slot`, the slot it was read at.
    supply: Mapped[int] = mapped_column(TokenAmount)
    supply_slot: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    program: Mapped[str] = mapped_column(String(16), default=TokenProgram.TOKEN.value)
    tier: Mapped[str | None] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    tracking_since: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # The picture from its launch application; pages draw the symbol's initials without one.
    image_digest: Mapped[str | None] = mapped_column(ForeignKey("token_images.digest"))

    @property
    def label(self) -> str:
        return self.symbol or self.name or f"{self.mint[:4]}…{self.mint[-4:]}"
