"""jsonParsed forms of System, Associated Token Account and Memo instructions.

Field names follow the Solana RPC's parsed output. A parser returns
(type, info) or None when the instruction cannot be parsed, in which case
the caller renders the instruction raw, as the RPC does.
"""
from __future__ import annotations

from typing import Any

from solders.pubkey import Pubkey

Parsed = tuple[str, Any] | None


class _Reader:
    """Little-endian bincode reader over instruction data."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.offset = 0

    def take(self, size: int) -> bytes:
        chunk = self.data[self.offset : self.offset + size]
        if len(chunk) != size:
            raise ValueError("instruction data too short")
        self.offset += size
        return chunk

    def u32(self) -> int:
        return int.from_bytes(self.take(4), "little")

    def u64(self) -> int:
        return int.from_bytes(self.take(8), "little")

    def pubkey(self) -> str:
        return str(Pubkey(self.take(32)))

    def string(self) -> str:
        return self.take(self.u64()).decode("utf-8")


def _need(accounts: list[str], count: int) -> None:
    if len(accounts) < count:
        raise ValueError("not enough accounts")


def parse_system(accounts: list[str], data: bytes) -> Parsed:
    try:
        return _parse_system(accounts, _Reader(data))
    except (ValueError, IndexError, UnicodeDecodeError):
        return None


def _parse_system(a: list[str], r: _Reader) -> Parsed:
    tag = r.u32()
    if tag == 0:
        _need(a, 2)
        lamports, space, owner = r.u64(), r.u64(), r.pubkey()
        info = {"source": a[0], "newAccount": a[1], "lamports": lamports, "space": space, "owner": owner}
        return "createAccount", info
    if tag == 1:
        _need(a, 1)
        return "assign", {"account": a[0], "owner": r.pubkey()}
    if tag == 2:
        _need(a, 2)
        return "transfer", {"source": a[0], "destination": a[1], "lamports": r.u64()}
    if tag == 3:
        _need(a, 2)
        base, seed, lamports, space, owner = r.pubkey(), r.string(), r.u64(), r.u64(), r.pubkey()
        info = {"source": a[0], "newAccount": a[1], "base": base, "seed": seed,
                "lamports": lamports, "space": space, "owner": owner}
        return "createAccountWithSeed", info
    if tag == 4:
        _need(a, 3)
        return "advanceNonce", {"nonceAccount": a[0], "recentBlockhashesSysvar": a[1], "nonceAuthority": a[2]}
    if tag == 5:
        _need(a, 5)
        info = {"nonceAccount": a[0], "destination": a[1], "recentBlockhashesSysvar": a[2],
                "rentSysvar": a[3], "nonceAuthority": a[4], "lamports": r.u64()}
        return "withdrawFromNonce", info
    if tag == 6:
        _need(a, 3)
        info = {"nonceAccount": a[0], "recentBlockhashesSysvar": a[1], "rentSysvar": a[2],
                "nonceAuthority": r.pubkey()}
        return "initializeNonce", info
    if tag == 7:
        _need(a, 2)
        return "authorizeNonce", {"nonceAccount": a[0], "nonceAuthority": a[1], "newAuthorized": r.pubkey()}
    if tag == 8:
        _need(a, 1)
        return "allocate", {"account": a[0], "space": r.u64()}
    if tag == 9:
        _need(a, 2)
        base, seed, space, owner = r.pubkey(), r.string(), r.u64(), r.pubkey()
        return "allocateWithSeed", {"account": a[0], "base": base, "seed": seed, "space": space, "owner": owner}
    if tag == 10:
        _need(a, 2)
        base, seed, owner = r.pubkey(), r.string(), r.pubkey()
        return "assignWithSeed", {"account": a[0], "base": base, "seed": seed, "owner": owner}
    if tag == 11:
        _need(a, 3)
        lamports, seed, owner = r.u64(), r.string(), r.pubkey()
        info = {"source": a[0], "sourceBase": a[1], "destination": a[2], "lamports": lamports,
                "sourceSeed": seed, "sourceOwner": owner}
        return "transferWithSeed", info
    if tag == 12:
        _need(a, 1)
        return "upgradeNonce", {"nonceAccount": a[0]}
    return None


def parse_associated_token(accounts: list[str], data: bytes) -> Parsed:
    kind = data[0] if data else 0
    if kind in (0, 1) and len(accounts) >= 6:
        info = {"source": accounts[0], "account": accounts[1], "wallet": accounts[2], "mint": accounts[3],
                "systemProgram": accounts[4], "tokenProgram": accounts[5]}
        return ("create" if kind == 0 else "createIdempotent"), info
    if kind == 2 and len(accounts) >= 7:
        names = ("nestedSource", "nestedMint", "destination", "nestedOwner", "ownerMint", "wallet", "tokenProgram")
        return "recoverNested", dict(zip(names, accounts, strict=False))
    return None


def parse_memo(data: bytes) -> str:
    return data.decode("utf-8", errors="replace")
