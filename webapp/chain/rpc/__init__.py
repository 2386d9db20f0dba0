"""The app's Solana RPC client: several endpoints, retries, circuit breakers, failover, metrics.

    client = SolanaRpcClient(app.config["SOLANA_RPC_URLS"])
    signature = client.send_transaction(signed_tx)
    client.confirm(signature, "finalized")
"""
from webapp.chain.rpc.client import (
    LatestBlockhash,
    SignatureInfo,
    SignatureStatus,
    SolanaRpcClient,
    TokenAmount,
    TokenHolding,
)
from webapp.chain.rpc.errors import (
    BlockhashExpired,
    ConfirmationTimeout,
    SolanaRpcError,
    SolanaUnavailable,
    TransactionFailed,
)

__all__ = [
    "BlockhashExpired",
    "ConfirmationTimeout",
    "LatestBlockhash",
    "SignatureInfo",
    "SignatureStatus",
    "SolanaRpcClient",
    "SolanaRpcError",
    "SolanaUnavailable",
    "TokenAmount",
    "TokenHolding",
    "TransactionFailed",
]
