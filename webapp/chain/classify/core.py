"""classify(): one transaction in, labelled events out, never an exception."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from . import events as labels
from .events import ChainEvent, TxStamp
from .exchanges import exchange_events
from .ledger import Ledger
from .platform import PlatformWallets, relabel_for_platform
from .supply import burn_events, create_events, mint_events
from .transaction import MalformedTransaction, Transaction, read_transaction
from .transfers import sol_transfer_events, token_transfer_events


def classify(
    tx: Any, platform: PlatformWallets | Mapping[str, Iterable[str]] | None = None
) -> list[ChainEvent]:
    """Label what a ``getTransaction`` result did (DESIGN.md section 7b).

    Pure: no database, no network. Whatever the input, the answer is a
    non-empty list; a transaction that cannot be understood gives a single
    ``other`` event whose ``reason`` says why. With ``platform`` (the
    platform's payout wallets and stake escrows, as PlatformWallets or a
    mapping with those two keys) transfers become payout / stake / unstake.
    """
    try:
        found = _classify(tx)
        if platform is not None:
            wallets = _platform_wallets(platform)
            found = relabel_for_platform(
                found, payout_wallets=wallets.payout_wallets, stake_escrows=wallets.stake_escrows
            )
    except MalformedTransaction as exc:
        found = [_other(tx, f"unreadable transaction: {exc}")]
    except Exception as exc:  # noqa: BLE001 - the indexer must never crash on one transaction; the event says why
        found = [_other(tx, f"classifier error: {type(exc).__name__}: {exc}")]
    return found


def _classify(raw: Any) -> list[ChainEvent]:
    tx = read_transaction(raw)
    stamp = TxStamp(tx.signature, tx.slot, tx.block_time)
    if tx.err is not None:
        return [_failed(tx, stamp)]
    ledger = Ledger(tx)
    outcome = exchange_events(ledger, stamp)
    found = list(outcome.events)
    found += create_events(ledger, stamp, outcome.consumed)
    found += mint_events(ledger, stamp, outcome.consumed)
    found += burn_events(ledger, stamp, outcome.consumed)
    found += token_transfer_events(ledger, stamp, outcome.settled_wallets)
    if not found:
        found = sol_transfer_events(ledger, stamp)
    if not found:
        return [stamp.event(label=labels.OTHER, wallet=tx.fee_payer,
                           reason="no token or SOL movement recognised")]
    found.sort(key=lambda item: item[0])  # instruction order; sort is stable
    return [event for _position, event in found]


def _platform_wallets(platform: PlatformWallets | Mapping[str, Iterable[str]]) -> PlatformWallets:
    if isinstance(platform, PlatformWallets):
        return platform
    return PlatformWallets(
        payout_wallets=frozenset(platform.get("payout_wallets", ())),
        stake_escrows=frozenset(platform.get("stake_escrows", ())),
    )


def _failed(tx: Transaction, stamp: TxStamp) -> ChainEvent:
    # Only the fee was charged; everything the instructions did was rolled back.
    return stamp.event(label=labels.FAILED, wallet=tx.fee_payer,
                      reason=_describe_error(tx.err))


def _describe_error(err: Any) -> str:
    try:
        return json.dumps(err, sort_keys=True)
    except (TypeError, ValueError):
        return repr(err)


def _other(raw: Any, reason: str) -> ChainEvent:
    """An ``other`` event carrying whatever identity the broken input still has."""
    signature = slot = block_time = None
    if isinstance(raw, dict):
        slot = raw.get("slot") if isinstance(raw.get("slot"), int) else None
        block_time = raw.get("blockTime") if isinstance(raw.get("blockTime"), int) else None
        envelope = raw.get("transaction")
        signatures = envelope.get("signatures") if isinstance(envelope, dict) else None
        if isinstance(signatures, list) and signatures and isinstance(signatures[0], str):
            signature = signatures[0]
    return TxStamp(signature, slot, block_time).event(labels.OTHER, None, reason=reason)
