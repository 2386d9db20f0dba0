"""Launch applications: a member asks for a token, an admin approves, a job creates it on chain."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.extensions import Model
from webapp.models.accounts import User, utcnow


class LaunchStatus(enum.StrEnum):
    PENDING = "pending"      # waiting for an admin
    REJECTED = "rejected"    # with a reason the applicant sees
    APPROVED = "approved"    # the launch job is creating the mint
    LAUNCHED = "launched"    # mint created, supply minted, authority revoked
    FAILED = "failed"        # the job failed; an admin may approve again


class LaunchApplication(Model):
    __tablename__ = "launch_applications"
    __table_args__ = (
        CheckConstraint("tier IN ('wild_fires', 'stable_grounds')", name="tier_known"),
        CheckConstraint("team_allocation_bps BETWEEN 0 AND 5000", name="team_share"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    applicant_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(64))
    symbol: Mapped[str] = mapped_column(String(10), index=True)
    description: Mapped[str] = mapped_column(Text, default="")
    image_url: Mapped[str] = mapped_column(String(500), default="")
    image_digest: Mapped[str | None] = mapped_column(ForeignKey("token_images.digest"))  # the uploaded picture
    links: Mapped[dict[str, str]] = mapped_column(JSONB, default=dict)
    tier: Mapped[str] = mapped_column(String(16))
    team_allocation_bps: Mapped[int] = mapped_column(Integer, default=0)
    team_wallets: Mapped[list[list[str | int]]] = mapped_column(JSONB, default=list)  # [[wallet, weight], …]
    cliff_days: Mapped[int] = mapped_column(Integer, default=0)
    vesting_days: Mapped[int] = mapped_column(Integer, default=0)
    unlock_period_days: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(16), default=LaunchStatus.PENDING.value, index=True)
    reject_reason: Mapped[str | None] = mapped_column(Text)
    failure: Mapped[str | None] = mapped_column(Text)
    mint: Mapped[str | None] = mapped_column(String(44), unique=True)
    created_signature: Mapped[str | None] = mapped_column(String(88))
    supply_fixed_signature: Mapped[str | None] = mapped_column(String(88))
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    launched_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    applicant: Mapped[User] = relationship(foreign_keys=[applicant_id], lazy="joined")
