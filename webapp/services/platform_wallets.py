"""Named platform wallets: keys in the keystore, public facts in PostgreSQL."""
from __future__ import annotations

from pathlib import Path

from flask import current_app
from sqlalchemy import select

from webapp.chain.keystore import Keystore, KeystoreError, check_name
from webapp.extensions import db
from webapp.models import PlatformWallet, User
from webapp.services import audit


def keystore() -> Keystore:
    config = current_app.config
    return Keystore(Path(str(config["WALLET_KEYSTORE_PATH"])), str(config["WALLET_KEYSTORE_PASSPHRASE"]))


def create_wallet(name: str, purpose: str = "", actor: User | None = None, ip_address: str | None = None) -> PlatformWallet:
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
