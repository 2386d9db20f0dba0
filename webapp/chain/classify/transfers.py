"""Tokens (or SOL) sent from one owner to another with nothing in return."""

from __future__ import annotations

from collections import defaultdict

from . import events as labels
from .events import ChainEvent, TxStamp
from .ledger import Ledger, OwnerTransfer
from .programs import SYSTEM, WRAPPED_SOL_MINT, pick_program


def token_transfer_events(
    ledger: Ledger, stamp: TxStamp, settled: set[str]
) -> list[tuple[int, ChainEvent]]:
    """One event per (sender, recipient, mint).

    Only transfers someone in the transaction signed for, or that reached a
    signer, are events: moves between pools and routers inside a swap are
    the venue's business. Legs of a trade already reported are skipped. A
    transfer to oneself nets to zero in the balances, so its amount comes
    from the instruction.
    """
    signers = set(ledger.tx.signers)
    groups: dict[tuple[str, str, str], list[OwnerTransfer]] = defaultdict(list)
    for transfer in ledger.token_transfers():
        if transfer.sender in settled or transfer.recipient in settled:
            continue
        if not ({transfer.sender, transfer.recipient, transfer.authority} & signers):
            continue
        groups[(transfer.sender, transfer.recipient, transfer.mint)].append(transfer)
    found = []
    for (sender, recipient, mint), legs in groups.items():
        event = stamp.event(
            label=labels.TRANSFER, wallet=sender, mint=mint,
            token_amount=sum(t.amount for t in legs), counterparty=recipient,
            program=pick_program([t.instruction.path for t in legs]),
        )
        found.append((legs[0].instruction.position, event))
    return found


def sol_transfer_events(ledger: Ledger, stamp: TxStamp) -> list[tuple[int, ChainEvent]]:
    """Plain SOL sent by a signer, reported as wrapped-SOL base units (lamports).

    Only used when nothing else happened: next to a trade or a token
    transfer, SOL moved to third parties is a tip or a fee, not an event.
    """
    signers = set(ledger.tx.signers)
    totals: dict[tuple[str, str], int] = defaultdict(int)
    for flow in ledger.sol_flows:
        if flow.sender in signers:
            totals[(flow.sender, flow.recipient)] += flow.lamports
    return [
        (0, stamp.event(
            label=labels.TRANSFER, wallet=sender, mint=WRAPPED_SOL_MINT,
            token_amount=lamports, counterparty=recipient, program=SYSTEM,
        ))
        for (sender, recipient), lamports in totals.items()
    ]
