"""Errors the RPC client raises to the app."""
from __future__ import annotations

from typing import Any


class SolanaRpcError(Exception):
    """The node answered with a JSON-RPC error (not a transient one): retrying elsewhere won't help."""

    def __init__(self, method: str, code: int, message: str, data: Any = None, endpoint: str | None = None) -> None:
        super().__init__(f"{method}: {code} {message}")
        self.method = method
        self.code = code
        self.message = message
        self.data = data
        self.endpoint = endpoint

    @property
    def logs(self) -> list[str]:
        """Program logs of a failed preflight simulation (-32002), else []."""
        if isinstance(self.data, dict) and isinstance(self.data.get("logs"), list):
            return list(self.data["logs"])
        return []

    @property
    def transaction_error(self) -> Any:
        """The TransactionError carried by a preflight failure, e.g. "BlockhashNotFound"."""
        return self.data.get("err") if isinstance(self.data, dict) else None


class SolanaUnavailable(Exception):
    """No endpoint could answer (all failed with transient errors, or all breakers are open)."""

    def __init__(self, method: str, attempts: list[str]) -> None:
        super().__init__(f"{method}: no Solana RPC endpoint answered ({'; '.join(attempts) or 'none available'})")
        self.method = method
        self.attempts = attempts


class TransactionFailed(Exception):
    """The transaction landed but failed: it paid its fee and changed nothing else."""

    def __init__(self, signature: str, err: Any) -> None:
        super().__init__(f"transaction {signature} failed: {err}")
        self.signature = signature
        self.err = err


class ConfirmationTimeout(Exception):
    """No status at the wanted commitment in time; the transaction may still land."""

    def __init__(self, signature: str, commitment: str, timeout: float) -> None:
        super().__init__(f"transaction {signature} not {commitment} after {timeout:.1f}s")
        self.signature = signature


class BlockhashExpired(Exception):
    """The transaction's blockhash expired without it landing: it can never land now."""

    def __init__(self, signature: str) -> None:
        super().__init__(f"transaction {signature} expired before landing")
        self.signature = signature
