"""Members, their sign-in nonces, and the audit log of staff actions."""
from __future__ import annotations

import enum
from datetime import UTC, datetime

from flask_login import UserMixin
from sqlalchemy import BigInteger, CheckConstraint, DateTime, ForeignKey, Index, String, Text, func, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.extensions import Model


def utcnow() -> datetime:
    return datetime.now(UTC)


class Role(enum.StrEnum):
    MEMBER = "member"
    MODERATOR = "moderator"
    ADMIN = "admin"

    @property
    def rank(self) -> int:
        return {"member": 0, "moderator": 1, "admin": 2}[self.value]


class User(UserMixin, Model):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("role IN ('member', 'moderator', 'admin')", name="role_known"),
        Index("unique_display_name", func.lower(text("display_name")), unique=True),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    wallet: Mapped[str] = mapped_column(String(44), unique=True, index=True)
    display_name: Mapped[str | None] = mapped_column(String(40))
    role: Mapped[str] = mapped_column(String(16), default=Role.MEMBER.value, server_default="member")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_sign_in_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    bio: Mapped[str] = mapped_column(String(500), default="", server_default="")
    # a moderator's suspension: no posting, reacting or reporting until then, for the reason shown
    suspended_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    suspension_reason: Mapped[str | None] = mapped_column(Text)

    @property
    def short_wallet(self) -> str:
        return f"{self.wallet[:4]}…{self.wallet[-4:]}"

    @property
    def name(self) -> str:
        return self.display_name or self.short_wallet

    def is_suspended(self, now: datetime | None = None) -> bool:
        return self.suspended_until is not None and self.suspended_until > (now or utcnow())

    def has_role(self, role: Role) -> bool:
        return Role(self.role).rank >= role.rank

    @property
    def is_admin(self) -> bool:
        return self.has_role(Role.ADMIN)

    @property
    def is_moderator(self) -> bool:
        return self.has_role(Role.MODERATOR)


class SignInNonce(Model):
    """A single-use Sign-In With Solana challenge issued to one wallet."""

    __tablename__ = "sign_in_nonces"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    nonce: Mapped[str] = mapped_column(String(64), unique=True)
    wallet: Mapped[str] = mapped_column(String(44))
    domain: Mapped[str] = mapped_column(String(255))
    uri: Mapped[str] = mapped_column(String(2048))
    message: Mapped[str] = mapped_column(Text)
    issued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class AuditEntry(Model):
    """One admin or moderator action, kept for /admin/audit."""

    __tablename__ = "audit_entries"
    __table_args__ = (Index("ix_audit_entries_action_created", "action", "created_at"),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(64))
    target_type: Mapped[str | None] = mapped_column(String(32))
    target_id: Mapped[str | None] = mapped_column(String(64))
    details: Mapped[dict[str, object]] = mapped_column(JSONB, default=dict)
    ip_address: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)

    actor: Mapped[User | None] = relationship(lazy="joined")
