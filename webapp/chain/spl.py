"""SPL token instructions and signing: create a mint, mint, transfer, burn, sign.

Pure transaction builders (no I/O): launches, payouts, the demo seed, the
local chain's market simulator, the tests and the benchmarks compose them.
"""
from __future__ import annotations

from collections.abc import Sequence

from solders.hash import Hash
from solders.instruction import Instruction
from solders.keypair import Keypair
from solders.message import MessageV0
from solders.pubkey import Pubkey
from solders.system_program import CreateAccountParams, create_account
from solders.transaction import VersionedTransaction
from spl.memo.constants import MEMO_PROGRAM_ID
from spl.memo.instructions import create_memo
from spl.memo.models import MemoParams
from spl.token.constants import TOKEN_PROGRAM_ID
from spl.token.instructions import (
    burn_checked,
    create_idempotent_associated_token_account,
    get_associated_token_address,
    initialize_mint2,
    mint_to_checked,
    transfer_checked,
)
from spl.token.models import BurnCheckedParams, InitializeMint2Params, MintToCheckedParams, TransferCheckedParams

MINT_SIZE = 82


def token_account(owner: Pubkey, mint: Pubkey, program: Pubkey = TOKEN_PROGRAM_ID) -> Pubkey:
    """The owner's associated token account for `mint`."""
    return get_associated_token_address(owner, mint, program)


def create_mint(payer: Pubkey, mint: Pubkey, authority: Pubkey, decimals: int, rent_lamports: int,
                program: Pubkey = TOKEN_PROGRAM_ID) -> list[Instruction]:
    """Allocate the mint account (rent-exempt) and initialise it; `mint` must sign."""
    return [
        create_account(CreateAccountParams(from_pubkey=payer, to_pubkey=mint, lamports=rent_lamports,
                                           space=MINT_SIZE, owner=program)),
        initialize_mint2(InitializeMint2Params(decimals=decimals, program_id=program, mint=mint,
                                               mint_authority=authority, freeze_authority=None)),
    ]


def mint_to(payer: Pubkey, mint: Pubkey, authority: Pubkey, recipient: Pubkey, amount: int, decimals: int,
            program: Pubkey = TOKEN_PROGRAM_ID) -> list[Instruction]:
    """Create the recipient's token account if needed, then mint `amount` base units to it."""
    destination = token_account(recipient, mint, program)
    return [
        create_idempotent_associated_token_account(payer, recipient, mint, program),
        mint_to_checked(MintToCheckedParams(program_id=program, mint=mint, dest=destination,
                                            mint_authority=authority, amount=amount, decimals=decimals)),
    ]


def transfer(sender: Pubkey, mint: Pubkey, recipient: Pubkey, amount: int, decimals: int,
             program: Pubkey = TOKEN_PROGRAM_ID, *, create_recipient_account: bool = True) -> list[Instruction]:
    """TransferChecked between owners' token accounts, creating the recipient's when asked."""
    instructions = []
    if create_recipient_account:
        instructions.append(create_idempotent_associated_token_account(sender, recipient, mint, program))
    instructions.append(transfer_checked(TransferCheckedParams(
        program_id=program, source=token_account(sender, mint, program), mint=mint,
        dest=token_account(recipient, mint, program), owner=sender, amount=amount, decimals=decimals)))
    return instructions


def burn(owner: Pubkey, mint: Pubkey, amount: int, decimals: int,
         program: Pubkey = TOKEN_PROGRAM_ID) -> list[Instruction]:
    return [burn_checked(BurnCheckedParams(program_id=program, account=token_account(owner, mint, program),
                                           mint=mint, owner=owner, amount=amount, decimals=decimals))]


def memo(signer: Pubkey, text: str) -> Instruction:
    return create_memo(MemoParams(program_id=MEMO_PROGRAM_ID, signer=signer, message=text.encode()))


def sign(instructions: Sequence[Instruction], payer: Keypair, blockhash: Hash,
         extra_signers: Sequence[Keypair] = ()) -> VersionedTransaction:
    """A v0 transaction paid by `payer`, signed by it and any extra signers."""
    message = MessageV0.try_compile(payer.pubkey(), list(instructions), [], blockhash)
    return VersionedTransaction(message, [payer, *extra_signers])
