"""What the payout engine needs from a Solana RPC, and nothing more."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from solders.hash import Hash


@dataclass(frozen=True)
class MintInfo:
    program: str
    decimals: int
    supply: int


# A payout of SOL itself (lamports from the wallet's own balance) names the native mint, as
# wallets and aggregators do; the engine never pays wrapped SOL tokens.
NATIVE_SOL = "So11111111111111111111111111111111111111112"
SYSTEM_PROGRAM = "11111111111111111111111111111111"
SOL = MintInfo(program=SYSTEM_PROGRAM, decimals=9, supply=2**64 - 1)
# A new wallet must receive at least this many lamports (rent exemption of an account without data),
# and a paying wallet must keep as much.
RENT_EXEMPT_LAMPORTS = 890_880


@dataclass(frozen=True)
class SignatureState:
    """What the chain says of one signature (None from lookups means: never seen)."""

    confirmation: str  # processed, confirmed or finalized
    error: str | None


class SendRefused(Exception):
    """The RPC refused the transaction before it reached the chain (preflight failure)."""

    def __init__(self, message: str, logs: list[str] | None = None) -> None:
        super().__init__(message)
        self.logs = logs or []

    @property
    def insufficient_funds(self) -> bool:
        text = " ".join([str(self), *self.logs]).lower()
        return "insufficient funds" in text or "insufficient lamports" in text


class ChainGateway(Protocol):
    def latest_blockhash(self) -> tuple[Hash, int]:
        """The newest blockhash and the last block height at which it is valid."""

    def block_height(self) -> int: ...

    def send_transaction(self, raw: bytes) -> None:
        """Send with preflight; raise SendRefused when the RPC refuses it.

        Re-sending a transaction the chain already has must not raise.
        """

    def signature_states(self, signatures: list[str]) -> list[SignatureState | None]: ...

    def token_balance(self, owner: str, mint: str) -> int:
        """Base units `owner` holds of `mint` in its associated token account (0 if none)."""

    def sol_balance(self, owner: str) -> int: ...

    def mint_info(self, mint: str) -> MintInfo | None: ...


def asset_info(chain: ChainGateway, mint: str) -> MintInfo | None:
    """What a payout of `mint` moves: SOL for the native mint, else the token read from the chain."""
    return SOL if mint == NATIVE_SOL else chain.mint_info(mint)
