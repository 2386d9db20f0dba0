"""Turn System, SPL Token / Token-2022 and ATA instructions into movements.

Raw (``json``) instructions are decoded from their data bytes; ``jsonParsed``
ones from their ``parsed.info``. Either way the result is the same small set
of facts: lamports moved, tokens moved, minted or burned, mints and token
accounts opened. Closing an account needs no decoding: the lamports it hands
back show up in the balances, and unwrapping SOL is not an event.

Instructions of any other program say nothing by themselves: what they did
shows up in the inner instructions they invoke.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from solders.pubkey import Pubkey

from . import programs
from .transaction import Instruction, MalformedTransaction

# SPL Token instruction tags (first data byte), shared by Token-2022.
_INITIALIZE_MINT = 0
_INITIALIZE_ACCOUNT = 1
_TRANSFER = 3
_MINT_TO = 7
_BURN = 8
_TRANSFER_CHECKED = 12
_MINT_TO_CHECKED = 14
_BURN_CHECKED = 15
_INITIALIZE_ACCOUNT_2 = 16
_INITIALIZE_ACCOUNT_3 = 18
_INITIALIZE_MINT_2 = 20
_TRANSFER_FEE_EXTENSION = 26  # Token-2022; sub-instruction 1 is TransferCheckedWithFee

# System program instruction tags (little-endian u32).
_SYSTEM_CREATE_ACCOUNT = 0
_SYSTEM_TRANSFER = 2
_SYSTEM_CREATE_ACCOUNT_WITH_SEED = 3
_SYSTEM_TRANSFER_WITH_SEED = 11


@dataclass(frozen=True)
class LamportTransfer:
    source: str
    destination: str
    lamports: int
    position: int


@dataclass(frozen=True)
class AccountFunding:
    """Lamports put into a brand-new account: rent, not a payment."""

    funder: str
    account: str
    lamports: int
    position: int


@dataclass(frozen=True)
class TokenTransfer:
    source: str  # token account
    destination: str  # token account
    mint: str | None  # known for *Checked; else looked up from the accounts
    amount: int
    authority: str | None
    instruction: Instruction


@dataclass(frozen=True)
class TokenMint:
    mint: str
    destination: str  # token account
    amount: int
    authority: str | None
    instruction: Instruction


@dataclass(frozen=True)
class TokenBurn:
    account: str
    mint: str
    amount: int
    authority: str | None
    instruction: Instruction


@dataclass(frozen=True)
class MintInitialized:
    mint: str
    instruction: Instruction


@dataclass(frozen=True)
class TokenAccountOpened:
    account: str
    mint: str | None
    owner: str | None


Movement = (
    LamportTransfer | AccountFunding | TokenTransfer | TokenMint | TokenBurn
    | MintInitialized | TokenAccountOpened
)


def movements_of(instruction: Instruction) -> list[Movement]:
    """The movements one instruction made (empty for programs we do not read)."""
    program = instruction.program_id
    if instruction.parsed is not None:
        return _from_parsed(instruction)
    data = instruction.data
    if data is None:
        return []
    if program in programs.TOKEN_PROGRAMS:
        return _token_from_bytes(instruction, data)
    if program == programs.SYSTEM:
        return _system_from_bytes(instruction, data)
    if program == programs.ASSOCIATED_TOKEN:
        return _ata_from_accounts(instruction.accounts)
    return []


# --- raw (json encoding) --------------------------------------------------


def _u64(data: bytes, offset: int) -> int:
    if len(data) < offset + 8:
        raise MalformedTransaction("instruction data too short for an amount")
    return int.from_bytes(data[offset : offset + 8], "little")


def _account(accounts: tuple[str, ...], index: int) -> str:
    if index >= len(accounts):
        raise MalformedTransaction("instruction has fewer accounts than its layout")
    return accounts[index]


def _optional_account(accounts: tuple[str, ...], index: int) -> str | None:
    return accounts[index] if index < len(accounts) else None


def _pubkey_bytes(data: bytes, offset: int) -> str:
    if len(data) < offset + 32:
        raise MalformedTransaction("instruction data too short for a public key")
    return str(Pubkey.from_bytes(data[offset : offset + 32]))


def _token_from_bytes(ix: Instruction, data: bytes) -> list[Movement]:
    if not data:
        return []
    tag, acc = data[0], ix.accounts
    if tag == _TRANSFER:
        return [TokenTransfer(_account(acc, 0), _account(acc, 1), None, _u64(data, 1),
                              _optional_account(acc, 2), ix)]
    if tag == _TRANSFER_CHECKED:
        return [TokenTransfer(_account(acc, 0), _account(acc, 2), _account(acc, 1),
                              _u64(data, 1), _optional_account(acc, 3), ix)]
    if tag == _TRANSFER_FEE_EXTENSION and len(data) > 1 and data[1] == 1:
        return [TokenTransfer(_account(acc, 0), _account(acc, 2), _account(acc, 1),
                              _u64(data, 2), _optional_account(acc, 3), ix)]
    if tag in (_MINT_TO, _MINT_TO_CHECKED):
        return [TokenMint(_account(acc, 0), _account(acc, 1), _u64(data, 1),
                          _optional_account(acc, 2), ix)]
    if tag in (_BURN, _BURN_CHECKED):
        return [TokenBurn(_account(acc, 0), _account(acc, 1), _u64(data, 1),
                          _optional_account(acc, 2), ix)]
    if tag in (_INITIALIZE_MINT, _INITIALIZE_MINT_2):
        return [MintInitialized(_account(acc, 0), ix)]
    if tag == _INITIALIZE_ACCOUNT:
        return [TokenAccountOpened(_account(acc, 0), _account(acc, 1), _account(acc, 2))]
    if tag in (_INITIALIZE_ACCOUNT_2, _INITIALIZE_ACCOUNT_3):
        return [TokenAccountOpened(_account(acc, 0), _account(acc, 1), _pubkey_bytes(data, 1))]
    return []


def _system_from_bytes(ix: Instruction, data: bytes) -> list[Movement]:
    if len(data) < 4:
        return []
    tag, acc = int.from_bytes(data[:4], "little"), ix.accounts
    if tag == _SYSTEM_TRANSFER:
        return [LamportTransfer(_account(acc, 0), _account(acc, 1), _u64(data, 4), ix.position)]
    if tag == _SYSTEM_TRANSFER_WITH_SEED:
        return [LamportTransfer(_account(acc, 0), _account(acc, 2), _u64(data, 4), ix.position)]
    if tag == _SYSTEM_CREATE_ACCOUNT:
        return [AccountFunding(_account(acc, 0), _account(acc, 1), _u64(data, 4), ix.position)]
    if tag == _SYSTEM_CREATE_ACCOUNT_WITH_SEED:
        # base pubkey (32), seed as u64 length + bytes, then lamports.
        seed_length = _u64(data, 36)
        return [AccountFunding(_account(acc, 0), _account(acc, 1),
                               _u64(data, 44 + seed_length), ix.position)]
    return []


def _ata_from_accounts(accounts: tuple[str, ...]) -> list[Movement]:
    # Create / CreateIdempotent: payer, associated account, wallet, mint, ...
    if len(accounts) < 4:
        return []
    return [TokenAccountOpened(accounts[1], accounts[3], accounts[2])]


# --- jsonParsed ------------------------------------------------------------


def _from_parsed(ix: Instruction) -> list[Movement]:
    parsed = ix.parsed or {}
    kind, info = parsed.get("type"), parsed.get("info")
    if not isinstance(kind, str) or not isinstance(info, dict):
        return []
    if ix.program_id in programs.TOKEN_PROGRAMS:
        return _token_from_parsed(ix, kind, info)
    if ix.program_id == programs.SYSTEM:
        return _system_from_parsed(ix, kind, info)
    if ix.program_id == programs.ASSOCIATED_TOKEN and kind in ("create", "createIdempotent"):
        return [TokenAccountOpened(_text(info, "account"), _text(info, "mint"),
                                   _text(info, "wallet"))]
    return []


def _text(info: dict[str, Any], key: str) -> str:
    value = info.get(key)
    if not isinstance(value, str) or not value:
        raise MalformedTransaction(f"parsed instruction lacks {key!r}")
    return value


def _maybe_text(info: dict[str, Any], *keys: str) -> str | None:
    for key in keys:
        value = info.get(key)
        if isinstance(value, str) and value:
            return value
    return None


def _parsed_amount(info: dict[str, Any]) -> int:
    value = info.get("amount")
    if value is None and isinstance(info.get("tokenAmount"), dict):
        value = info["tokenAmount"].get("amount")
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    if isinstance(value, str) and value.isascii() and value.isdigit():
        return int(value)
    raise MalformedTransaction(f"parsed token amount {value!r} is not an integer")


_AUTHORITY_KEYS = ("authority", "multisigAuthority", "owner", "multisigOwner")


def _token_from_parsed(ix: Instruction, kind: str, info: dict[str, Any]) -> list[Movement]:
    if kind in ("transfer", "transferChecked", "transferCheckedWithFee"):
        return [TokenTransfer(_text(info, "source"), _text(info, "destination"),
                              _maybe_text(info, "mint"), _parsed_amount(info),
                              _maybe_text(info, *_AUTHORITY_KEYS), ix)]
    if kind in ("mintTo", "mintToChecked"):
        return [TokenMint(_text(info, "mint"), _text(info, "account"), _parsed_amount(info),
                          _maybe_text(info, "mintAuthority", "multisigMintAuthority"), ix)]
    if kind in ("burn", "burnChecked"):
        return [TokenBurn(_text(info, "account"), _text(info, "mint"), _parsed_amount(info),
                          _maybe_text(info, *_AUTHORITY_KEYS), ix)]
    if kind in ("initializeMint", "initializeMint2"):
        return [MintInitialized(_text(info, "mint"), ix)]
    if kind in ("initializeAccount", "initializeAccount2", "initializeAccount3"):
        return [TokenAccountOpened(_text(info, "account"), _maybe_text(info, "mint"),
                                   _maybe_text(info, "owner"))]
    return []


def _system_from_parsed(ix: Instruction, kind: str, info: dict[str, Any]) -> list[Movement]:
    if kind in ("transfer", "transferWithSeed"):
        return [LamportTransfer(_text(info, "source"), _text(info, "destination"),
                                _lamports(info), ix.position)]
    if kind in ("createAccount", "createAccountWithSeed"):
        return [AccountFunding(_text(info, "source"), _text(info, "newAccount"),
                               _lamports(info), ix.position)]
    return []


def _lamports(info: dict[str, Any]) -> int:
    value = info.get("lamports")
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    raise MalformedTransaction(f"parsed lamports {value!r} is not an integer")
