"""Named platform wallets: keys in the keystore, public facts in PostgreSQL."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from spl.token.constants import TOKEN_2022_PROGRAM_ID, TOKEN_PROGRAM_ID
from sqlalchemy import select

from webapp.chain.keystore import Keystore, KeystoreError, check_name
from webapp.chain.rpc import SolanaRpcClient, SolanaRpcError, SolanaUnavailable, TokenHolding
from webapp.extensions import db
from webapp.models import Payout, PayoutReason, PlatformWallet, User
from webapp.services import audit
from webapp.services.payouts.amounts import AmountError, tokens_to_base_units
from webapp.services.payouts.gateway import NATIVE_SOL, ChainGateway, asset_info
from webapp.services.payouts.requests import PayoutRequest, PayoutRequestError, request_payouts


def keystore() -> Keystore:
    config = current_app.config
    return Keystore(Path(str(config["WALLET_KEYSTORE_PATH"])), str(config["WALLET_KEYSTORE_PASSPHRASE"]))


def create_wallet(name: str, purpose: str = "", actor: User | None = None,
                  ip_address: str | None = None) -> PlatformWallet:
    """Generate a keypair under `name` and record its address; audited."""
    check_name(name)
    if db.session.scalar(select(PlatformWallet.id).where(PlatformWallet.name == name)) is not None:
        raise KeystoreError(f"A wallet named {name!r} already exists.")
    store = keystore()
    address = store.address(name) if name in store.names() else store.create(name)
    wallet = PlatformWallet(name=name, address=str(address), purpose=purpose[:120])
    db.session.add(wallet)
    audit.record(actor, "wallet.created", target_type="wallet", target_id=name,
                 details={"address": str(address), "purpose": purpose[:120]}, ip_address=ip_address)
    db.session.commit()
    return wallet


def ensure_wallet(name: str, purpose: str = "") -> PlatformWallet:
    """The wallet named `name`, created on first use (platform wallets later issues need)."""
    wallet = db.session.scalar(select(PlatformWallet).where(PlatformWallet.name == name))
    return wallet or create_wallet(name, purpose)


def wallet_by_name(name: str) -> PlatformWallet | None:
    return db.session.scalar(select(PlatformWallet).where(PlatformWallet.name == name))


def all_wallets() -> list[PlatformWallet]:
    return list(db.session.scalars(select(PlatformWallet).order_by(PlatformWallet.name)))


@dataclass(frozen=True)
class WalletHoldings:
    wallet: PlatformWallet
    lamports: int | None
    tokens: list[TokenHolding]
    error: str | None = None


def holdings(wallets: list[PlatformWallet], client: SolanaRpcClient) -> list[WalletHoldings]:
    """SOL and token balances read from the chain now; an unreachable RPC is reported, not raised."""
    result = []
    for wallet in wallets:
        try:
            tokens = [
                holding
                for program in (TOKEN_PROGRAM_ID, TOKEN_2022_PROGRAM_ID)
                for holding in client.get_token_accounts_by_owner(wallet.address, program_id=program)
            ]
            result.append(WalletHoldings(wallet, client.get_balance(wallet.address), tokens))
        except (SolanaUnavailable, SolanaRpcError) as error:
            result.append(WalletHoldings(wallet, None, [], f"Chain unavailable: {error}"))
    return result


def send_tokens(
    actor: User, wallet_name: str, recipient: str, mint: str, amount_text: str, request_id: str,
    chain: ChainGateway, ip_address: str | None = None,
) -> Payout:
    """An admin's transfer out of a platform wallet: a manual payout row, audited, paid by the engine.

    `mint` "SOL" (any case) sends SOL itself; `amount_text` is in SOL or token units.
    """
    mint = NATIVE_SOL if mint.strip().upper() == "SOL" else mint.strip()
    info = asset_info(chain, mint)
    if info is None:
        raise PayoutRequestError(f"{mint} is not a token mint on this cluster.")
    try:
        amount = tokens_to_base_units(amount_text, info.decimals)
    except AmountError as error:
        raise PayoutRequestError(str(error)) from error
    request = PayoutRequest(wallet_name, recipient, mint, amount, PayoutReason.MANUAL.value,
                            f"admin:{actor.id}", f"manual:{request_id}")
    [payout] = request_payouts([request], chain, commit=False)
    action = "wallet.sol_sent" if mint == NATIVE_SOL else "wallet.tokens_sent"
    audit.record(actor, action, target_type="payout", target_id=payout.id,
                 details={"wallet": wallet_name, "recipient": payout.recipient, "mint": payout.mint,
                          "amount": str(payout.amount)}, ip_address=ip_address)
    db.session.commit()
    return payout
