"""Transactions a member signs first and a platform wallet co-signs: checking, co-signing, sending, settling.

Trades (webapp.services.trading.orders) and stake deposits and contributions
(webapp.services.staking.deposits) share these rules: the server built the
message and kept its bytes; the member's wallet fills in its own signature;
the platform wallet signs only a transaction that is exactly that message,
validly signed by the member; the signature is committed before the send;
and a transaction is called expired only after its signature is looked up in
the chain's whole history.
"""
from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass

from solders.keypair import Keypair
from solders.message import to_bytes_versioned
from solders.pubkey import Pubkey
from solders.transaction import VersionedTransaction
from spl.token.constants import TOKEN_2022_PROGRAM_ID, TOKEN_PROGRAM_ID

from webapp.chain import spl
from webapp.chain.rpc import SolanaRpcClient, SolanaRpcError, SolanaUnavailable
from webapp.chain.rpc.errors import BlockhashExpired, ConfirmationTimeout, TransactionFailed
from webapp.models import Token
from webapp.services.refusals import Refusal

NETWORK_FEE_LAMPORTS = 10_000  # two signatures: the member's and the platform wallet's
WALLET_RENT_MINIMUM = 890_880  # a system account must stay rent-exempt (or empty)
PREFLIGHT_FAILED = -32002  # sendTransaction: the node simulated the transaction and it failed
CONFIRMED, FAILED, EXPIRED = "confirmed", "failed", "expired"


class RefusedTransaction(Refusal):
    """What the member's wallet returned cannot be co-signed."""

    default_status = 400


def leaves_wallet_usable(lamports: int, needed: int) -> bool:
    """Whether a wallet holding `lamports` can pay `needed` and stay rent-exempt (or end exactly empty)."""
    return lamports == needed or lamports - needed >= WALLET_RENT_MINIMUM


def program_of(token: Token) -> Pubkey:
    return TOKEN_2022_PROGRAM_ID if token.program == "token-2022" else TOKEN_PROGRAM_ID


@dataclass(frozen=True)
class MemberFunds:
    lamports: int
    has_token_account: bool
    token_balance: int


def member_funds(client: SolanaRpcClient, wallet: str, token: Token) -> MemberFunds:
    """The member's SOL and their token account's balance, read from the chain now."""
    member = Pubkey.from_string(wallet)
    account = spl.token_account(member, Pubkey.from_string(token.mint), program_of(token))
    holding = client.get_account_info(account, "confirmed")
    balance = int(client.get_token_account_balance(account, "confirmed").amount) if holding else 0
    return MemberFunds(client.get_balance(member, "confirmed"), holding is not None, balance)


def decode_signed(message: bytes, wallet: str, signed_base64: str, *,
                  start_over: str = "Ask for a new quote.") -> VersionedTransaction:
    """The member's signed transaction, refused unless it is exactly `message`, validly signed by `wallet`."""
    try:
        transaction = VersionedTransaction.from_bytes(base64.b64decode(signed_base64, validate=True))
    except (ValueError, binascii.Error, TypeError) as error:
        raise RefusedTransaction("The wallet returned something that is not a transaction.") from error
    if bytes(transaction.message) != message:
        raise RefusedTransaction(f"The wallet changed the transaction; nothing was sent. {start_over}")
    if len(transaction.signatures) != transaction.message.header.num_required_signatures:
        raise RefusedTransaction("The wallet returned a transaction with the wrong number of signatures.")
    member_signature = transaction.signatures[0]
    if not member_signature.verify(Pubkey.from_string(wallet), to_bytes_versioned(transaction.message)):
        raise RefusedTransaction("The transaction is not signed by your wallet.")
    return transaction


def co_signed(transaction: VersionedTransaction, keypair: Keypair) -> bytes:
    """The wire bytes with `keypair`'s signature in its own slot (the member's stays as it is)."""
    message = transaction.message
    signers = list(message.account_keys)[:message.header.num_required_signatures]
    signatures = list(transaction.signatures)
    signatures[signers.index(keypair.pubkey())] = keypair.sign_message(to_bytes_versioned(message))
    return bytes(VersionedTransaction.populate(message, signatures))


def send_signed(client: SolanaRpcClient, wire: bytes) -> str | None:
    """Send; the refusal when the node's preflight refused it (it cannot land as it stands), else None.

    Any other RPC error leaves it to the chain: another endpoint may have
    forwarded it, so its fate is settled from the chain, not from this reply.
    SolanaUnavailable is raised: sent or not, the chain decides later.
    """
    try:
        client.send_transaction(wire)
    except SolanaRpcError as error:
        if error.code == PREFLIGHT_FAILED:
            return f"the chain refused it: {error}"
    return None


@dataclass(frozen=True)
class Outcome:
    """What became of a sent transaction: confirmed, failed or expired; `status` None while undecided."""

    status: str | None
    error: str | None = None


def outcome(client: SolanaRpcClient, signature: str, last_valid_block_height: int, *,
            wait: bool = False) -> Outcome:
    """Look the signature up (waiting up to 30 s with `wait`); never calls it expired before a history search."""
    try:
        client.confirm(signature, "confirmed", timeout=30.0 if wait else 0.0, poll_interval=0.1,
                       last_valid_block_height=int(last_valid_block_height))
    except TransactionFailed as error:
        return Outcome(FAILED, f"failed on chain: {error.err}")
    except BlockhashExpired:
        # the status cache only spans recent slots: ask the full history before calling it expired
        try:
            landed = client.get_signature_statuses([signature], search_history=True)[0]
        except (SolanaUnavailable, SolanaRpcError):
            return Outcome(None)
        if landed is None:
            return Outcome(EXPIRED, "its blockhash expired before it landed")
        if landed.err is not None:
            return Outcome(FAILED, f"failed on chain: {landed.err}")
    except (ConfirmationTimeout, SolanaUnavailable):
        return Outcome(None)  # still in flight (or the chain is unreachable): settled later
    return Outcome(CONFIRMED)
