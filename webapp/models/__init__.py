"""Typed SQLAlchemy models, one module per domain."""
from webapp.models.accounts import AuditEntry, Role, SignInNonce, User
from webapp.models.chain import (
    Candle,
    ChainCheckpoint,
    HolderAccount,
    HolderMismatch,
    IndexedTransaction,
    IndexFailure,
    ReconciliationRun,
    TokenMarket,
    TokenTrade,
    TransactionEvent,
    WalletActivity,
)
from webapp.models.launches import LaunchApplication, LaunchStatus
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
from webapp.models.tokens import Tier, Token, TokenProgram

__all__ = [
    "AuditEntry",
    "BatchStatus",
    "Candle",
    "ChainCheckpoint",
    "HolderAccount",
    "HolderMismatch",
    "IndexFailure",
    "LaunchApplication",
    "LaunchStatus",
    "IndexedTransaction",
    "Payout",
    "PayoutBatch",
    "PayoutReason",
    "PayoutRun",
    "PayoutStatus",
    "PlatformWallet",
    "ReconciliationRun",
    "Role",
    "RunStatus",
    "SignInNonce",
    "Tier",
    "Token",
    "TokenMarket",
    "TokenProgram",
    "TokenTrade",
    "TransactionEvent",
    "User",
    "WalletActivity",
]
