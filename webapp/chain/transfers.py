"""Batched SPL token payouts as signed transactions, within Solana's size limit."""
from __future__ import annotations

from dataclasses import dataclass

from solders.compute_budget import set_compute_unit_limit, set_compute_unit_price
from solders.hash import Hash
from solders.keypair import Keypair
from solders.pubkey import Pubkey
from solders.transaction import VersionedTransaction
from spl.token.constants import TOKEN_PROGRAM_ID

from webapp.chain import spl

# A Solana transaction is at most 1,232 bytes on the wire.
MAX_TRANSACTION_BYTES = 1232
# Compute for one idempotent ATA creation (worst case: it creates) plus one transfer.
COMPUTE_UNITS_PER_TRANSFER = 32_000


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
    for transfer in transfers:
        instructions += spl.transfer(sender.pubkey(), mint, transfer.recipient, transfer.amount, decimals,
                                     token_program)
    return spl.sign(instructions, sender, blockhash)


def fits_in_one_transaction(transaction: VersionedTransaction) -> bool:
    return len(bytes(transaction)) <= MAX_TRANSACTION_BYTES
