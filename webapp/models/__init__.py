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
from webapp.models.trading import OPEN_ORDER_STATUSES, BondingCurve, MarketPhase, OrderStatus, TradeOrder

__all__ = [
    "AuditEntry",
    "BondingCurve",
    "MarketPhase",
    "OPEN_ORDER_STATUSES",
    "OrderStatus",
    "TradeOrder",
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
