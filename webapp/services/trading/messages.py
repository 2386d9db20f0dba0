"""The transactions of a trade and of a graduation, as unsigned v0 messages (no I/O).

A trade is atomic and two-party: the member's payment and the venue's
transfer back sit in one message paid by the member, so it lands whole or not
at all. No custom on-chain program is involved.
"""
from __future__ import annotations

import base64

from solders.hash import Hash
from solders.keypair import Keypair
from solders.message import MessageV0, to_bytes_versioned
from solders.pubkey import Pubkey
from solders.signature import Signature
from solders.system_program import TransferParams, transfer
from solders.transaction import VersionedTransaction
from spl.token.instructions import create_idempotent_associated_token_account

from webapp.chain import spl


def trade_message(*, side: str, member: Pubkey, venue: Pubkey, mint: Pubkey, decimals: int, program: Pubkey,
                  tokens: int, member_lamports: int, order_id: int, blockhash: Hash) -> MessageV0:
    """Buy: the member's SOL to the venue, the venue's tokens to the member. Sell: the reverse."""
    if side == "buy":
        instructions = [
            # the member pays for their own token account, created only when missing
            create_idempotent_associated_token_account(member, member, mint, program),
            transfer(TransferParams(from_pubkey=member, to_pubkey=venue, lamports=member_lamports)),
            *spl.transfer(venue, mint, member, tokens, decimals, program, create_recipient_account=False),
        ]
    else:
        instructions = [
            *spl.transfer(member, mint, venue, tokens, decimals, program, create_recipient_account=False),
            transfer(TransferParams(from_pubkey=venue, to_pubkey=member, lamports=member_lamports)),
        ]
    instructions.append(spl.memo(member, f"momentum:{side}:{order_id}"))
    return MessageV0.try_compile(member, instructions, [], blockhash)


def graduation_message(*, vault: Pubkey, pool: Pubkey, treasury: Pubkey, mint: Pubkey, decimals: int,
                       program: Pubkey, pool_tokens: int, pool_lamports: int, treasury_lamports: int,
                       blockhash: Hash) -> MessageV0:
    """The vault hands the reserved tokens and raised SOL to the pool, and the fees to the treasury."""
    instructions = [
        *spl.transfer(vault, mint, pool, pool_tokens, decimals, program),
        transfer(TransferParams(from_pubkey=vault, to_pubkey=pool, lamports=pool_lamports)),
    ]
    if treasury_lamports:
        instructions.append(transfer(TransferParams(from_pubkey=vault, to_pubkey=treasury, lamports=treasury_lamports)))
    instructions.append(spl.memo(vault, "momentum:graduation"))
    return MessageV0.try_compile(vault, instructions, [], blockhash)


def unsigned(message: MessageV0) -> bytes:
    """Wire bytes with every signature slot empty, for the member's wallet to fill its own."""
    slots = message.header.num_required_signatures
    return bytes(VersionedTransaction.populate(message, [Signature.default()] * slots))


def signed_by_base64(keypair: Keypair, unsigned_base64: str) -> str:
    """`signed_by` on the base64 text the trade panel hands a wallet, and the wallet hands back."""
    return base64.b64encode(signed_by(keypair, base64.b64decode(unsigned_base64))).decode()


def signed_by(keypair: Keypair, wire: bytes) -> bytes:
    """What a member's wallet does with a trade: fill its own signature slot (demo traders and tests use it)."""
    transaction = VersionedTransaction.from_bytes(wire)
    signatures = list(transaction.signatures)
    signatures[list(transaction.message.account_keys).index(keypair.pubkey())] = keypair.sign_message(
        to_bytes_versioned(transaction.message))
    return bytes(VersionedTransaction.populate(transaction.message, signatures))
