"""Batched payouts (SPL tokens or SOL) as signed transactions, within Solana's size limit."""
from __future__ import annotations

from dataclasses import dataclass

from solders.compute_budget import set_compute_unit_limit, set_compute_unit_price
from solders.hash import Hash
from solders.keypair import Keypair
from solders.pubkey import Pubkey
from solders.system_program import TransferParams, transfer
from solders.transaction import VersionedTransaction
from spl.token.constants import TOKEN_PROGRAM_ID

from webapp.chain import spl

# A Solana transaction is at most 1,232 bytes on the wire.
MAX_TRANSACTION_BYTES = 1232
# Compute for one idempotent ATA creation (worst case: it creates) plus one transfer.
COMPUTE_UNITS_PER_TRANSFER = 32_000
COMPUTE_UNITS_PER_SOL_TRANSFER = 450  # a system transfer costs 150


@dataclass(frozen=True)
class TokenTransfer:
    recipient: Pubkey
    amount: int


def batch_transfer_transaction(
    sender: Keypair,
    mint: Pubkey,
    decimals: int,
    transfers: list[TokenTransfer],
    blockhash: Hash,
    *,
    priority_micro_lamports: int = 0,
    token_program: Pubkey = TOKEN_PROGRAM_ID,
) -> VersionedTransaction:
    """One transaction paying several recipients from `sender`'s token account,
    creating each recipient's token account when it is missing."""
    if any(transfer.amount <= 0 for transfer in transfers):
        raise ValueError("Transfer amounts must be positive.")
    instructions = [set_compute_unit_limit(COMPUTE_UNITS_PER_TRANSFER * len(transfers) + 1_000)]
    if priority_micro_lamports:
        instructions.append(set_compute_unit_price(priority_micro_lamports))
    for item in transfers:
        instructions += spl.transfer(sender.pubkey(), mint, item.recipient, item.amount, decimals, token_program)
    return spl.sign(instructions, sender, blockhash)


def batch_sol_transfer_transaction(
    sender: Keypair, transfers: list[TokenTransfer], blockhash: Hash, *, priority_micro_lamports: int = 0,
) -> VersionedTransaction:
    """One transaction paying lamports to several recipients from `sender`'s own balance."""
    if any(item.amount <= 0 for item in transfers):
        raise ValueError("Transfer amounts must be positive.")
    instructions = [set_compute_unit_limit(COMPUTE_UNITS_PER_SOL_TRANSFER * len(transfers) + 1_000)]
    if priority_micro_lamports:
        instructions.append(set_compute_unit_price(priority_micro_lamports))
    instructions += [
        transfer(TransferParams(from_pubkey=sender.pubkey(), to_pubkey=item.recipient, lamports=item.amount))
        for item in transfers
    ]
    return spl.sign(instructions, sender, blockhash)


def fits_in_one_transaction(transaction: VersionedTransaction) -> bool:
    return len(bytes(transaction)) <= MAX_TRANSACTION_BYTES
