"""The labelled event a transaction turns into (DESIGN.md section 7b)."""

from __future__ import annotations

from dataclasses import dataclass

CREATE = "create"
MINT = "mint"
BUY = "buy"
SELL = "sell"
SWAP = "swap"
BURN = "burn"
TRANSFER = "transfer"
LIQUIDITY_ADD = "liquidity_add"
LIQUIDITY_REMOVE = "liquidity_remove"
STAKE = "stake"
UNSTAKE = "unstake"
PAYOUT = "payout"
FAILED = "failed"
OTHER = "other"

LABELS: frozenset[str] = frozenset(
    {
        CREATE, MINT, BUY, SELL, SWAP, BURN, TRANSFER, LIQUIDITY_ADD,
        LIQUIDITY_REMOVE, STAKE, UNSTAKE, PAYOUT, FAILED, OTHER,
    }
)


@dataclass(frozen=True)
class ChainEvent:
    """One thing one wallet did in one transaction.

    Amounts are integers in base units: token base units for
    ``token_amount`` / ``other_amount`` and lamports for ``sol_amount``.
    """

    signature: str | None
    slot: int | None
    block_time: int | None
    label: str
    wallet: str | None
    mint: str | None = None
    token_amount: int = 0
    sol_amount: int = 0
    other_mint: str | None = None
    other_amount: int | None = None
    counterparty: str | None = None
    program: str | None = None
    # Why the classifier gave up (label "other") or why the transaction failed.
    reason: str | None = None


@dataclass(frozen=True)
class TxStamp:
    """The identity every event of one transaction shares."""

    signature: str | None
    slot: int | None
    block_time: int | None

    def event(
        self, label: str, wallet: str | None, *, mint: str | None = None,
        token_amount: int = 0, sol_amount: int = 0, other_mint: str | None = None,
        other_amount: int | None = None, counterparty: str | None = None,
        program: str | None = None, reason: str | None = None,
    ) -> ChainEvent:
        return ChainEvent(
            signature=self.signature, slot=self.slot, block_time=self.block_time, label=label,
            wallet=wallet, mint=mint, token_amount=token_amount, sol_amount=sol_amount,
            other_mint=other_mint, other_amount=other_amount, counterparty=counterparty,
            program=program, reason=reason,
        )
