"""Encrypted keystore for the platform's wallets.

Secret keys live only here, never in the database, logs or pages. On disk each
key is sealed with AES-GCM under a key derived from WALLET_KEYSTORE_PASSPHRASE
with scrypt; the wallet's name is bound in as associated data so sealed keys
cannot be swapped between names. In production a key can instead come from
the environment (PLATFORM_WALLET_<NAME>, the base58 secret key) or a file the
operator mounts (WALLET_KEYSTORE_PATH).
"""
from __future__ import annotations

import base64
import json
import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import TypedDict

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt
from solders.keypair import Keypair
from solders.pubkey import Pubkey

WALLET_NAME = re.compile(r"^[a-z][a-z0-9_]{1,47}$")


class KeystoreError(ValueError):
    """A keystore operation that cannot be done; the message says why."""


@dataclass(frozen=True)
class SealedKey:
    address: str
    nonce: str
    ciphertext: str


def check_name(name: str) -> str:
    if not WALLET_NAME.match(name or ""):
        raise KeystoreError(
            "Wallet names are 2-48 characters: lowercase letters, digits or '_', starting with a letter."
        )
    return name


class _KeystoreFile(TypedDict):
    """The keystore's JSON file: a scrypt salt and, per wallet name, its sealed key."""

    version: int
    salt: str
    wallets: dict[str, dict[str, str]]


class Keystore:
    def __init__(self, path: Path, passphrase: str) -> None:
        if not passphrase:
            raise KeystoreError("WALLET_KEYSTORE_PASSPHRASE is not set.")
        self.path = path
        self._passphrase = passphrase.encode()
        self._data = self._load()
        self._key: bytes | None = None

    def _load(self) -> _KeystoreFile:
        if self.path.exists():
            return json.loads(self.path.read_text())
        return {"version": 1, "salt": base64.b64encode(secrets.token_bytes(16)).decode(), "wallets": {}}

    def _aead(self) -> AESGCM:
        if self._key is None:
            salt = base64.b64decode(str(self._data["salt"]))
            self._key = Scrypt(salt=salt, length=32, n=2**15, r=8, p=1).derive(self._passphrase)
        return AESGCM(self._key)

    @property
    def _wallets(self) -> dict[str, dict[str, str]]:
        return self._data["wallets"]

    def names(self) -> list[str]:
        return sorted(set(self._wallets) | set(_environment_names()))

    def address(self, name: str) -> Pubkey:
        return self.keypair(name).pubkey() if name in _environment_names() else Pubkey.from_string(
            self._sealed(name)["address"]
        )

    def create(self, name: str) -> Pubkey:
        """Generate a new keypair under `name`; refuses to overwrite."""
        check_name(name)
        if name in self._wallets or name in _environment_names():
            raise KeystoreError(f"A wallet named {name!r} already exists.")
        return self.add(name, Keypair())

    def add(self, name: str, keypair: Keypair) -> Pubkey:
        check_name(name)
        nonce = secrets.token_bytes(12)
        sealed = self._aead().encrypt(nonce, bytes(keypair), name.encode())
        self._wallets[name] = {
            "address": str(keypair.pubkey()),
            "nonce": base64.b64encode(nonce).decode(),
            "ciphertext": base64.b64encode(sealed).decode(),
        }
        self._save()
        return keypair.pubkey()

    def keypair(self, name: str) -> Keypair:
        from_env = os.environ.get(_env_key(name))
        if from_env:
            return Keypair.from_base58_string(from_env)
        sealed = self._sealed(name)
        try:
            secret = self._aead().decrypt(
                base64.b64decode(sealed["nonce"]), base64.b64decode(sealed["ciphertext"]), name.encode()
            )
        except InvalidTag as exc:
            raise KeystoreError("The keystore passphrase is wrong or the keystore is damaged.") from exc
        return Keypair.from_bytes(secret)

    def _sealed(self, name: str) -> dict[str, str]:
        try:
            return self._wallets[name]
        except KeyError as exc:
            raise KeystoreError(f"No platform wallet is named {name!r}.") from exc

    def _save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_suffix(".tmp")
        temporary.write_text(json.dumps(self._data, indent=2))
        temporary.chmod(0o600)
        temporary.replace(self.path)


def _env_key(name: str) -> str:
    return "PLATFORM_WALLET_" + name.upper()


def _environment_names() -> list[str]:
    prefix = "PLATFORM_WALLET_"
    return [key[len(prefix):].lower() for key in os.environ if key.startswith(prefix) and os.environ[key]]
