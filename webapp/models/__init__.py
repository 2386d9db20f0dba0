"""Typed SQLAlchemy models, one module per domain."""
from webapp.models.accounts import AuditEntry, Role, SignInNonce, User
from webapp.models.payouts import (
    BatchStatus,
    Payout,
    PayoutBatch,
    PayoutReason,
    PayoutRun,
    PayoutStatus,
    PlatformWallet,
    RunStatus,
)

__all__ = [
    "AuditEntry",
    "BatchStatus",
    "Payout",
    "PayoutBatch",
    "PayoutReason",
    "PayoutRun",
    "PayoutStatus",
    "PlatformWallet",
    "Role",
    "RunStatus",
    "SignInNonce",
    "User",
]
