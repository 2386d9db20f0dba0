"""Building SPL token transfers as signed transactions (solders, spl.token)."""
from __future__ import annotations

from dataclasses import dataclass

from solders.compute_budget import set_compute_unit_limit, set_compute_unit_price
from solders.hash import Hash
from solders.instruction import Instruction
from solders.keypair import Keypair
from solders.message import MessageV0
from solders.pubkey import Pubkey
from solders.transaction import VersionedTransaction
from spl.token.constants import TOKEN_PROGRAM_ID
from spl.token.models import TransferCheckedParams
from spl.token.instructions import (
    create_idempotent_associated_token_account,
    get_associated_token_address,
    transfer_checked,
)

# A Solana transaction is at most 1,232 bytes on the wire.
MAX_TRANSACTION_BYTES = 1232
# Compute for one idempotent ATA creation (worst case: it creates) plus one transfer.
COMPUTE_UNITS_PER_TRANSFER = 32_000


@dataclass(frozen=True)
class TokenTransfer:
    recipient: Pubkey
    amount: int


def transfer_instructions(
    sender: Pubkey,
    mint: Pubkey,
    decimals: int,
    transfers: list[TokenTransfer],
    *,
    token_program: Pubkey = TOKEN_PROGRAM_ID,
) -> list[Instruction]:
    """Create each recipient's token account if missing (idempotent), then transfer."""
    source = get_associated_token_address(sender, mint, token_program)
    instructions: list[Instruction] = []
    for transfer in transfers:
        if transfer.amount <= 0:
            raise ValueError("Transfer amounts must be positive.")
        destination = get_associated_token_address(transfer.recipient, mint, token_program)
        instructions.append(create_idempotent_associated_token_account(sender, transfer.recipient, mint, token_program))
        instructions.append(
            transfer_checked(
                TransferCheckedParams(
                    program_id=token_program,
                    source=source,
                    mint=mint,
                    dest=destination,
                    owner=sender,
                    amount=transfer.amount,
                    decimals=decimals,
                )
            )
        )
    return instructions


def sign_transaction(
    payer: Keypair,
    instructions: list[Instruction],
    blockhash: Hash,
    *,
    compute_units: int | None = None,
    priority_micro_lamports: int = 0,
    extra_signers: list[Keypair] | None = None,
) -> VersionedTransaction:
    budget: list[Instruction] = []
    if compute_units:
        budget.append(set_compute_unit_limit(compute_units))
    if priority_micro_lamports:
        budget.append(set_compute_unit_price(priority_micro_lamports))
    message = MessageV0.try_compile(payer.pubkey(), budget + instructions, [], blockhash)
    return VersionedTransaction(message, [payer, *(extra_signers or [])])


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
    """One transaction paying several recipients from `sender`'s token account."""
    instructions = transfer_instructions(sender.pubkey(), mint, decimals, transfers, token_program=token_program)
    return sign_transaction(
        sender,
        instructions,
        blockhash,
        compute_units=COMPUTE_UNITS_PER_TRANSFER * len(transfers) + 1_000,
        priority_micro_lamports=priority_micro_lamports,
    )


def fits_in_one_transaction(transaction: VersionedTransaction) -> bool:
    return len(bytes(transaction)) <= MAX_TRANSACTION_BYTES
