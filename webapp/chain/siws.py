"""Sign In With Solana messages: building, parsing and signature checks.

The text follows the SIWS format that wallets' `solana:signIn` produce, so the
same parser accepts a message we issued and signed with `signMessage` and one a
wallet built itself from the same fields.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from solders.pubkey import Pubkey
from solders.signature import Signature

HEADER_SUFFIX = " wants you to sign in with your Solana account:"
FIELD_ORDER = (
    ("URI", "uri"),
    ("Version", "version"),
    ("Chain ID", "chain_id"),
    ("Nonce", "nonce"),
    ("Issued At", "issued_at"),
    ("Expiration Time", "expiration_time"),
)
_BASE58 = re.compile(r"^[1-9A-HJ-NP-Za-km-z]+$")


class SignInError(ValueError):
    """The sign-in attempt is refused; the message says why in plain words."""


@dataclass(frozen=True)
class SignInFields:
    domain: str
    address: str
    statement: str
    uri: str
    version: str
    chain_id: str
    nonce: str
    issued_at: str
    expiration_time: str


def iso_timestamp(moment: datetime) -> str:
    """ISO 8601 in UTC with milliseconds, as wallets write it."""
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def build_message(fields: SignInFields) -> str:
    lines = [f"{fields.domain}{HEADER_SUFFIX}", fields.address, "", fields.statement, ""]
    lines += [f"{label}: {getattr(fields, attr)}" for label, attr in FIELD_ORDER]
    return "\n".join(lines)


def parse_message(message: str) -> SignInFields:
    """Read the fields back out of a SIWS message; refuse anything else."""
    lines = message.replace("\r\n", "\n").split("\n")
    if len(lines) < 3 or not lines[0].endswith(HEADER_SUFFIX):
        raise SignInError("This is not a Sign In With Solana message.")
    domain = lines[0][: -len(HEADER_SUFFIX)]
    address = lines[1].strip()
    rest = lines[2:]
    statement_lines: list[str] = []
    values: dict[str, str] = {}
    labels = {f"{label}: ": attr for label, attr in FIELD_ORDER}
    for line in rest:
        prefix = next((p for p in labels if line.startswith(p)), None)
        if prefix is None:
            if values:
                raise SignInError("The sign-in message has an unexpected line.")
            statement_lines.append(line)
            continue
        values[labels[prefix]] = line[len(prefix):].strip()
    missing = [label for label, attr in FIELD_ORDER if attr not in values]
    if missing:
        raise SignInError(f"The sign-in message lacks: {', '.join(missing)}.")
    statement = "\n".join(statement_lines).strip("\n")
    return SignInFields(domain=domain, address=address, statement=statement, **values)


_Parsed = TypeVar("_Parsed", Pubkey, Signature)


def _parse_base58(text: str | None, what: str, size: str, parse: Callable[[str], _Parsed]) -> _Parsed:
    """Decode `text` with solders' `parse`, refusing anything that does not round-trip."""
    text = (text or "").strip()
    if not text:
        raise SignInError(f"A {what} is required.")
    if not _BASE58.match(text):
        raise SignInError(f"The {what} is not valid base58.")
    try:
        value = parse(text)
    except ValueError as exc:
        raise SignInError(f"The {what} must be {size}.") from exc
    if str(value) != text:
        raise SignInError(f"The {what} must be {size}.")
    return value


def parse_wallet(text: str | None) -> Pubkey:
    """A wallet address as 32 bytes of base58, or a clear refusal."""
    return _parse_base58(text, "wallet address", "a 32-byte Solana public key", Pubkey.from_string)


def parse_signature(text: str | None) -> Signature:
    return _parse_base58(text, "signature", "64 bytes of base58", Signature.from_string)


def signature_is_valid(wallet: Pubkey, message: str, signature: Signature) -> bool:
    """ed25519 check of the wallet's signature over the exact message bytes."""
    return signature.verify(wallet, message.encode("utf-8"))
