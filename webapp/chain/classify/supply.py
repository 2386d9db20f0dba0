"""Changes of supply: a new mint (create), tokens minted, tokens burned."""

from __future__ import annotations

from collections import defaultdict

from . import events as labels
from .events import ChainEvent, TxStamp
from .ledger import Ledger
from .movements import TokenBurn, TokenMint
from .programs import WRAPPED_SOL_MINT, pick_program


def create_events(
    ledger: Ledger, stamp: TxStamp, consumed: set[int]
) -> list[tuple[int, ChainEvent]]:
    """A mint initialised here, with the supply minted in the same transaction.

    The initial MintTo belongs to the create (not a separate ``mint`` event).
    A mint whose issuance already went to a liquidity provider is a pool's LP
    mint, made as part of opening the pool, and is not reported as a token.
    """
    found = []
    seen: set[str] = set()
    for init in ledger.new_mints:
        if init.mint in seen or init.mint == WRAPPED_SOL_MINT:
            continue
        seen.add(init.mint)
        issued = [m for m in ledger.mints if m.mint == init.mint]
        if any(id(m) in consumed for m in issued):
            continue
        consumed.update(id(m) for m in issued)
        largest = max(issued, key=lambda m: m.amount, default=None)
        event = stamp.event(
            label=labels.CREATE, wallet=ledger.tx.fee_payer, mint=init.mint,
            token_amount=sum(m.amount for m in issued),
            counterparty=ledger.owner_of(largest.destination) if largest else None,
            program=pick_program([init.instruction.path]),
        )
        found.append((init.instruction.position, event))
    return found


def mint_events(
    ledger: Ledger, stamp: TxStamp, consumed: set[int]
) -> list[tuple[int, ChainEvent]]:
    """Tokens minted to a holder, one event per (recipient owner, mint)."""
    groups: dict[tuple[str, str], list[TokenMint]] = defaultdict(list)
    for mint_to in ledger.mints:
        if id(mint_to) not in consumed and mint_to.amount > 0:
            groups[(ledger.owner_of(mint_to.destination), mint_to.mint)].append(mint_to)
    found = []
    for (recipient, mint), issued in groups.items():
        event = stamp.event(
            label=labels.MINT, wallet=recipient, mint=mint,
            token_amount=sum(m.amount for m in issued),
            counterparty=issued[0].authority,
            program=pick_program([m.instruction.path for m in issued]),
        )
        found.append((issued[0].instruction.position, event))
    return found


def burn_events(
    ledger: Ledger, stamp: TxStamp, consumed: set[int]
) -> list[tuple[int, ChainEvent]]:
    """Tokens burned, one event per (holder, mint)."""
    groups: dict[tuple[str, str], list[TokenBurn]] = defaultdict(list)
    for burn in ledger.burns:
        if id(burn) not in consumed and burn.amount > 0:
            groups[(ledger.owner_of(burn.account), burn.mint)].append(burn)
    found = []
    for (holder, mint), burned in groups.items():
        event = stamp.event(
            label=labels.BURN, wallet=holder, mint=mint,
            token_amount=sum(b.amount for b in burned),
            program=pick_program([b.instruction.path for b in burned]),
        )
        found.append((burned[0].instruction.position, event))
    return found
