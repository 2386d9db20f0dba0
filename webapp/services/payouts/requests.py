"""Asking for payouts: validated rows, one per idempotency key."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from solders.pubkey import Pubkey
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert

from webapp.extensions import db
from webapp.models import Payout, PayoutReason, PayoutStatus, PlatformWallet
from webapp.services.payouts.gateway import NATIVE_SOL, RENT_EXEMPT_LAMPORTS, MintInfo, MintReader, asset_info

TOKEN_PROGRAMS = {
    "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA",
    "TokenzQdBNbLqP5VEhdkAS6EPFLC1PHnBqCXEpPxuEb",
}


class PayoutRequestError(ValueError):
    """A payout that cannot be asked for; the message says why."""


@dataclass(frozen=True)
class PayoutRequest:
    wallet_name: str
    recipient: str
    mint: str
    amount: int
    reason: str
    source_ref: str
    idempotency_key: str


def parse_address(text: str, what: str) -> str:
    try:
        key = Pubkey.from_string((text or "").strip())
    except ValueError as exc:
        raise PayoutRequestError(f"The {what} is not a valid Solana address.") from exc
    return str(key)


MintLookup = Callable[[str], MintInfo | None]
INSERT_CHUNK = 2000  # PostgreSQL takes at most 65,535 parameters per statement


def validate(request: PayoutRequest, lookup_mint: MintLookup) -> tuple[PayoutRequest, MintInfo]:
    """Every check that does not need a lock: names, addresses, amounts, the mint on chain."""
    if db.session.scalar(select(PlatformWallet.id).where(PlatformWallet.name == request.wallet_name)) is None:
        raise PayoutRequestError(f"There is no platform wallet named {request.wallet_name!r}.")
    recipient = parse_address(request.recipient, "recipient address")
    mint = parse_address(request.mint, "mint address")
    if isinstance(request.amount, bool) or not isinstance(request.amount, int) or request.amount <= 0:
        raise PayoutRequestError("The amount must be above zero.")
    if request.reason not in {reason.value for reason in PayoutReason}:
        raise PayoutRequestError(f"Unknown payout reason {request.reason!r}.")
    if not request.idempotency_key or len(request.idempotency_key) > 160:
        raise PayoutRequestError("Every payout needs an idempotency key of at most 160 characters.")
    info = lookup_mint(mint)
    if info is None or (mint != NATIVE_SOL and info.program not in TOKEN_PROGRAMS):
        raise PayoutRequestError(f"{mint} is not a token mint on this cluster.")
    if mint == NATIVE_SOL and request.amount < RENT_EXEMPT_LAMPORTS:
        raise PayoutRequestError("A SOL payout must be at least 0.00089088 SOL: a new wallet cannot hold less.")
    if request.amount > info.supply:
        raise PayoutRequestError("The amount is larger than the token's whole supply.")
    cleaned = PayoutRequest(
        request.wallet_name, recipient, mint, request.amount, request.reason,
        request.source_ref[:120], request.idempotency_key,
    )
    return cleaned, info


def request_payouts(requests: list[PayoutRequest], chain: MintReader, *, commit: bool = True) -> list[Payout]:
    """Validate all, then insert all in one transaction; a repeated key keeps its first row.

    With commit=False the caller commits, together with its own change (an audit entry).
    """
    known: dict[str, MintInfo | None] = {}

    def lookup_mint(mint: str) -> MintInfo | None:
        if mint not in known:
            known[mint] = asset_info(chain, mint)
        return known[mint]

    checked = [validate(request, lookup_mint) for request in requests]
    cleaned = [request for request, _info in checked]
    for start in range(0, len(checked), INSERT_CHUNK):
        chunk = checked[start:start + INSERT_CHUNK]
        db.session.execute(
            insert(Payout)
            .values([_row(request, info) for request, info in chunk])
            .on_conflict_do_nothing(index_elements=["idempotency_key"])
        )
    if commit:
        db.session.commit()
    rows: dict[str, Payout] = {}
    keys = [request.idempotency_key for request in cleaned]
    for start in range(0, len(keys), INSERT_CHUNK):
        chunk_keys = keys[start:start + INSERT_CHUNK]
        rows.update((row.idempotency_key, row) for row in db.session.scalars(
            select(Payout).where(Payout.idempotency_key.in_(chunk_keys))
        ))
    return [rows[key] for key in keys]


def _row(request: PayoutRequest, info: MintInfo) -> dict[str, object]:
    return {
        "decimals": info.decimals,
        "idempotency_key": request.idempotency_key,
        "wallet_name": request.wallet_name,
        "recipient": request.recipient,
        "mint": request.mint,
        "amount": request.amount,
        "reason": request.reason,
        "source_ref": request.source_ref,
        "status": PayoutStatus.PENDING.value,
    }
