"""Each launched token's stake escrow and community fund: which token may have them, and making them ready.

A token launched on Momentum (through a launch application) gets two
platform wallets, created on its first deposit: `stake_<token id>` holds
staked tokens until they are unstaked, `fund_<token id>` holds the community
fund. A mint an admin merely registered has neither: Momentum cannot vouch
for it.
"""
from __future__ import annotations

from dataclasses import dataclass

from solders.pubkey import Pubkey
from solders.system_program import TransferParams, transfer
from spl.token.instructions import create_idempotent_associated_token_account
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from webapp.chain import spl
from webapp.chain.rpc import SolanaRpcClient, SolanaRpcError
from webapp.extensions import db
from webapp.models import (
    FUND_WALLET_PREFIX,
    STAKE_WALLET_PREFIX,
    DepositKind,
    LaunchApplication,
    LaunchStatus,
    PlatformWallet,
    Token,
)
from webapp.services import platform_wallets
from webapp.services.member_transactions import PREFLIGHT_FAILED, program_of
from webapp.services.refusals import Refusal

ESCROW_FLOAT_LAMPORTS = 50_000_000   # 0.05 SOL: the escrow pays the fees of the unstakes it pays out
ESCROW_REFILL_BELOW = 25_000_000     # topped up to the float when below 0.025 SOL


class StakeError(Refusal):
    """A stake, contribution or unstake Momentum refuses."""


def stake_wallet_name(token: Token) -> str:
    return f"{STAKE_WALLET_PREFIX}{token.id}"


def fund_wallet_name(token: Token) -> str:
    return f"{FUND_WALLET_PREFIX}{token.id}"


def wallet_name(token: Token, kind: str) -> str:
    return stake_wallet_name(token) if kind == DepositKind.STAKE.value else fund_wallet_name(token)


def is_launched(mint: str) -> bool:
    return db.session.scalar(select(LaunchApplication.id).where(
        LaunchApplication.mint == mint, LaunchApplication.status == LaunchStatus.LAUNCHED.value)) is not None


def launched_token(mint: str) -> Token:
    """The token behind `mint`, refused (404) unless Momentum tracks it and launched it."""
    token = db.session.scalar(select(Token).where(Token.mint == mint))
    if token is None:
        raise StakeError("Momentum does not track this mint.", 404)
    if not is_launched(mint):
        raise StakeError("Staking and the community fund are only for tokens launched on Momentum; "
                         "this mint was registered from outside.", 404)
    return token


@dataclass(frozen=True)
class TokenWallets:
    """The two wallets' addresses; None for a wallet not created yet."""

    stake: str | None
    fund: str | None


def addresses(token: Token) -> TokenWallets:
    names = {stake_wallet_name(token), fund_wallet_name(token)}
    found = dict(db.session.execute(select(PlatformWallet.name, PlatformWallet.address)
                                    .where(PlatformWallet.name.in_(names))).all())
    return TokenWallets(found.get(stake_wallet_name(token)), found.get(fund_wallet_name(token)))


def _ensure(name: str, purpose: str) -> PlatformWallet:
    try:
        return platform_wallets.ensure_wallet(name, purpose)
    except IntegrityError:  # another request created it a moment ago
        db.session.rollback()
        return platform_wallets.ensure_wallet(name, purpose)


def prepare(token: Token, client: SolanaRpcClient) -> TokenWallets:
    """Create both wallets on first use; open their token accounts and float the escrow, in one treasury transaction.

    Reads the chain first and sends only what is missing, so it costs three
    reads once the wallets are ready.
    """
    stake = Pubkey.from_string(_ensure(stake_wallet_name(token), f"{token.symbol} stake escrow").address)
    fund = Pubkey.from_string(_ensure(fund_wallet_name(token), f"{token.symbol} community fund").address)
    mint, program = Pubkey.from_string(token.mint), program_of(token)
    treasury = platform_wallets.keystore().keypair("treasury")
    instructions = [
        create_idempotent_associated_token_account(treasury.pubkey(), owner, mint, program)
        for owner in (stake, fund)
        if client.get_account_info(spl.token_account(owner, mint, program), "confirmed") is None
    ]
    escrow_lamports = client.get_balance(stake, "confirmed")
    if escrow_lamports < ESCROW_REFILL_BELOW:
        instructions.append(transfer(TransferParams(from_pubkey=treasury.pubkey(), to_pubkey=stake,
                                                    lamports=ESCROW_FLOAT_LAMPORTS - escrow_lamports)))
    if instructions:
        blockhash = client.get_latest_blockhash("confirmed").blockhash
        try:
            signature = client.send_transaction(spl.sign(instructions, treasury, blockhash))
        except SolanaRpcError as error:
            if error.code != PREFLIGHT_FAILED or error.transaction_error == "BlockhashNotFound":
                raise
            # the simulation failed: the treasury cannot pay the accounts' rent or the escrow's float
            raise StakeError("Staking for this token is not ready yet: the platform treasury could not open its "
                             "accounts. Nothing was sent; an admin needs to fund the treasury.", 503) from error
        client.confirm(signature, "confirmed")
    return TokenWallets(str(stake), str(fund))
