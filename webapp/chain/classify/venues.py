"""Who a wallet traded with, and how much SOL changed hands with them.

A *counterparty* is an owner that exchanged tokens directly with the wallet
(a curve, a pool's vault authority, a router, another wallet). SOL paid to
anyone who moved no token at all (tip accounts, protocol fee recipients) is
not a payment to the venue, so it never counts towards ``sol_amount``.
"""

from __future__ import annotations

from collections import defaultdict

from .ledger import Ledger, OwnerTransfer
from .programs import KNOWN_VENUES, TOKEN_PROGRAMS, WRAPPED_SOL_MINT


def token_counterparties(ledger: Ledger, wallet: str, mints: set[str] | None = None) -> list[str]:
    """Owners that swapped tokens of ``mints`` with ``wallet``, largest first.

    Routers pass tokens straight on (their net change is zero); they are
    dropped when a real holder of the other side is also present.
    """
    volume: dict[str, int] = defaultdict(int)
    for transfer in transfers_with(ledger, wallet, mints):
        other = transfer.recipient if transfer.sender == wallet else transfer.sender
        volume[other] += transfer.amount
    if not volume:
        return _opposite_holders(ledger, wallet, mints)
    ranked = sorted(volume, key=lambda owner: -volume[owner])
    holders = [o for o in ranked if _net_token_change(ledger, o, mints)]
    return holders or ranked


def _opposite_holders(ledger: Ledger, wallet: str, mints: set[str] | None) -> list[str]:
    """Without transfer instructions (old transactions), balances still show
    whose holdings of the same token moved the other way."""
    volume: dict[str, int] = defaultdict(int)
    for (owner, mint), delta in ledger.token_deltas.items():
        mine = ledger.token_deltas.get((wallet, mint), 0)
        if owner == wallet or mint == WRAPPED_SOL_MINT or (mints is not None and mint not in mints):
            continue
        if mine * delta < 0:
            volume[owner] += abs(delta)
    return sorted(volume, key=lambda owner: -volume[owner])


def transfers_with(ledger: Ledger, wallet: str, mints: set[str] | None = None) -> list[OwnerTransfer]:
    """Token transfers (not wrapped SOL) between ``wallet`` and someone else."""
    return [
        t for t in ledger.token_transfers()
        if (t.sender == wallet) != (t.recipient == wallet) and (mints is None or t.mint in mints)
    ]


def _net_token_change(ledger: Ledger, owner: str, mints: set[str] | None) -> bool:
    return any(
        delta for (o, mint), delta in ledger.token_deltas.items()
        if o == owner and mint != WRAPPED_SOL_MINT and (mints is None or mint in mints)
    )


def traders(ledger: Ledger) -> set[str]:
    """Owners that moved a real (non-SOL) token in this transaction."""
    owners: set[str] = set()
    for transfer in ledger.token_transfers():
        owners.update((transfer.sender, transfer.recipient))
    return owners


def sol_exchanged(ledger: Ledger, wallet: str, counterparties: list[str]) -> int:
    """Lamports ``wallet`` received from the venue side (negative: it paid).

    In order of preference: explicit transfers (system or wrapped SOL) between
    the wallet and owners that traded tokens; else the SOL the wallet's own
    counterparties lost or gained, when no one else traded with them (a
    program paying out of an account it owns moves lamports without any
    transfer instruction); else SOL that reached the wallet without any
    instruction saying so.
    """
    explicit = ledger.sol_received_from(wallet, traders(ledger) - {wallet})
    if explicit:
        return explicit
    if counterparties and _exclusive_to(ledger, wallet, counterparties):
        venue_side = -sum(ledger.sol_value_change(owner) for owner in counterparties)
        if venue_side:
            return venue_side
    everyone = {f.sender for f in ledger.sol_flows} | {f.recipient for f in ledger.sol_flows}
    unexplained = ledger.own_sol_change(wallet) - ledger.sol_received_from(wallet, everyone)
    return unexplained if counterparties and unexplained > 0 else 0


def sol_counterparties(ledger: Ledger, wallet: str) -> list[str]:
    """Owners that exchanged SOL with the wallet and also traded tokens."""
    others = traders(ledger) - {wallet}
    volume: dict[str, int] = defaultdict(int)
    for flow in ledger.sol_flows:
        if flow.sender == wallet and flow.recipient in others:
            volume[flow.recipient] += flow.lamports
        elif flow.recipient == wallet and flow.sender in others:
            volume[flow.sender] += flow.lamports
    return sorted(volume, key=lambda owner: -volume[owner])


def _exclusive_to(ledger: Ledger, wallet: str, counterparties: list[str]) -> bool:
    signers = set(ledger.tx.signers)
    if signers & set(counterparties):
        return False
    for transfer in ledger.token_transfers():
        for a, b in ((transfer.sender, transfer.recipient), (transfer.recipient, transfer.sender)):
            if a in counterparties and b in signers and b != wallet:
                return False
    return True


def present_counterparty(ledger: Ledger, owner: str | None, wallet: str) -> str | None:
    """Name a venue by the account a user would recognise.

    A pool's state account is written on every trade, while a vault
    authority is usually a read-only PDA shared by every pool of a program.
    So a read-only owner is replaced by the first writable, non-token,
    non-signer account of the instruction that moved the tokens.
    """
    if owner is None or owner in ledger.tx.writable:
        return owner
    for transfer in ledger.token_transfers():
        if owner not in (transfer.sender, transfer.recipient):
            continue
        if wallet not in (transfer.sender, transfer.recipient):
            continue
        for account in transfer.instruction.caller_accounts:
            if _could_be_pool_state(ledger, account, wallet):
                return account
    return owner


def _could_be_pool_state(ledger: Ledger, account: str, wallet: str) -> bool:
    return (
        account in ledger.tx.writable
        and account != wallet
        and account not in ledger.tx.signers
        and not ledger.is_token_account(account)
        and not ledger.is_mint(account)
        and account not in TOKEN_PROGRAMS
        and account not in KNOWN_VENUES
    )
