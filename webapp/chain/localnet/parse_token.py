"""jsonParsed forms of SPL Token (and Token-2022 base) instructions.

Covers instructions 0-24, the set both token programs share; Token-2022
extension instructions are rendered raw by the caller (None here).
"""
from __future__ import annotations

from typing import Any

from solders.pubkey import Pubkey

from webapp.chain.localnet.codec import ui_token_amount

Parsed = tuple[str, dict[str, Any]] | None

_AUTHORITY_TYPES = (
    "mintTokens", "freezeAccount", "accountOwner", "closeAccount", "transferFeeConfig", "withheldWithdraw",
    "closeMint", "interestRate", "permanentDelegate", "confidentialTransferMint", "transferHookProgramId",
    "confidentialTransferFeeConfig", "metadataPointer", "groupPointer", "groupMemberPointer",
    "scaledUiAmountConfig", "pause",
)
_EXTENSION_TYPES = (
    "uninitialized", "transferFeeConfig", "transferFeeAmount", "mintCloseAuthority", "confidentialTransferMint",
    "confidentialTransferAccount", "defaultAccountState", "immutableOwner", "memoTransfer", "nonTransferable",
    "interestBearingConfig", "cpiGuard", "permanentDelegate", "nonTransferableAccount", "transferHook",
    "transferHookAccount", "confidentialTransferFeeConfig", "confidentialTransferFeeAmount", "metadataPointer",
    "tokenMetadata", "groupPointer", "tokenGroup", "groupMemberPointer", "tokenGroupMember",
)


def _u64(data: bytes, offset: int) -> int:
    if len(data) < offset + 8:
        raise ValueError("instruction data too short")
    return int.from_bytes(data[offset : offset + 8], "little")


def _optional_pubkey(data: bytes, offset: int) -> str | None:
    """COption<Pubkey> as packed in token instruction data: one tag byte, then 32 bytes."""
    if data[offset] == 0:
        return None
    if len(data) < offset + 33:
        raise ValueError("instruction data too short")
    return str(Pubkey(data[offset + 1 : offset + 33]))


def _signers(info: dict[str, Any], accounts: list[str], index: int, single: str, multisig: str) -> dict[str, Any]:
    """The authority is one signer, or a multisig account followed by its signers."""
    if len(accounts) > index + 1:
        info[multisig] = accounts[index]
        info["signers"] = accounts[index + 1 :]
    else:
        info[single] = accounts[index]
    return info


def _need(accounts: list[str], count: int) -> None:
    if len(accounts) < count:
        raise ValueError("not enough accounts")


def parse_token(accounts: list[str], data: bytes) -> Parsed:
    if not data:
        return None
    try:
        return _parse(data[0], accounts, data)
    except (ValueError, IndexError):
        return None


def _initialize_mint(kind: str, a: list[str], d: bytes, with_rent: bool) -> Parsed:
    _need(a, 2 if with_rent else 1)
    info: dict[str, Any] = {"mint": a[0], "decimals": d[1], "mintAuthority": str(Pubkey(d[2:34]))}
    if with_rent:
        info["rentSysvar"] = a[1]
    freeze = _optional_pubkey(d, 34)
    if freeze is not None:
        info["freezeAuthority"] = freeze
    return kind, info


def _checked(kind: str, a: list[str], d: bytes, names: tuple[str, ...], signer: tuple[str, str]) -> Parsed:
    """TransferChecked / ApproveChecked / MintToChecked / BurnChecked: amount + decimals."""
    _need(a, len(names) + 1)
    info: dict[str, Any] = dict(zip(names, a, strict=False))
    info["tokenAmount"] = ui_token_amount(_u64(d, 1), d[9])
    return kind, _signers(info, a, len(names), *signer)


def _parse(tag: int, a: list[str], d: bytes) -> Parsed:
    if tag == 0:
        return _initialize_mint("initializeMint", a, d, with_rent=True)
    if tag == 20:
        return _initialize_mint("initializeMint2", a, d, with_rent=False)
    if tag == 1:
        _need(a, 4)
        return "initializeAccount", {"account": a[0], "mint": a[1], "owner": a[2], "rentSysvar": a[3]}
    if tag == 16:
        _need(a, 3)
        return "initializeAccount2", {"account": a[0], "mint": a[1], "owner": str(Pubkey(d[1:33])), "rentSysvar": a[2]}
    if tag == 18:
        _need(a, 2)
        return "initializeAccount3", {"account": a[0], "mint": a[1], "owner": str(Pubkey(d[1:33]))}
    if tag == 2:
        _need(a, 3)
        return "initializeMultisig", {"multisig": a[0], "rentSysvar": a[1], "signers": a[2:], "m": d[1]}
    if tag == 19:
        _need(a, 2)
        return "initializeMultisig2", {"multisig": a[0], "signers": a[1:], "m": d[1]}
    if tag == 3:
        _need(a, 3)
        info: dict[str, Any] = {"source": a[0], "destination": a[1], "amount": str(_u64(d, 1))}
        return "transfer", _signers(info, a, 2, "authority", "multisigAuthority")
    if tag == 4:
        _need(a, 3)
        info = {"source": a[0], "delegate": a[1], "amount": str(_u64(d, 1))}
        return "approve", _signers(info, a, 2, "owner", "multisigOwner")
    if tag == 5:
        _need(a, 2)
        return "revoke", _signers({"source": a[0]}, a, 1, "owner", "multisigOwner")
    if tag == 6:
        _need(a, 2)
        authority_type = _AUTHORITY_TYPES[d[1]]
        owned = "account" if authority_type in ("accountOwner", "closeAccount") else "mint"
        info = {owned: a[0], "authorityType": authority_type, "newAuthority": _optional_pubkey(d, 2)}
        return "setAuthority", _signers(info, a, 1, "authority", "multisigAuthority")
    if tag == 7:
        _need(a, 3)
        info = {"mint": a[0], "account": a[1], "amount": str(_u64(d, 1))}
        return "mintTo", _signers(info, a, 2, "mintAuthority", "multisigMintAuthority")
    if tag == 8:
        _need(a, 3)
        info = {"account": a[0], "mint": a[1], "amount": str(_u64(d, 1))}
        return "burn", _signers(info, a, 2, "authority", "multisigAuthority")
    if tag == 9:
        _need(a, 3)
        return "closeAccount", _signers({"account": a[0], "destination": a[1]}, a, 2, "owner", "multisigOwner")
    if tag in (10, 11):
        _need(a, 3)
        info = _signers({"account": a[0], "mint": a[1]}, a, 2, "freezeAuthority", "multisigFreezeAuthority")
        return ("freezeAccount" if tag == 10 else "thawAccount"), info
    if tag == 12:
        return _checked("transferChecked", a, d, ("source", "mint", "destination"), ("authority", "multisigAuthority"))
    if tag == 13:
        return _checked("approveChecked", a, d, ("source", "mint", "delegate"), ("owner", "multisigOwner"))
    if tag == 14:
        return _checked("mintToChecked", a, d, ("mint", "account"), ("mintAuthority", "multisigMintAuthority"))
    if tag == 15:
        return _checked("burnChecked", a, d, ("account", "mint"), ("authority", "multisigAuthority"))
    if tag == 17:
        _need(a, 1)
        return "syncNative", {"account": a[0]}
    if tag == 21:
        _need(a, 1)
        info = {"mint": a[0]}
        codes = [int.from_bytes(d[i : i + 2], "little") for i in range(1, len(d) - 1, 2)]
        if codes:
            info["extensionTypes"] = [_EXTENSION_TYPES[c] if c < len(_EXTENSION_TYPES) else str(c) for c in codes]
        return "getAccountDataSize", info
    if tag == 22:
        _need(a, 1)
        return "initializeImmutableOwner", {"account": a[0]}
    if tag == 23:
        _need(a, 1)
        return "amountToUiAmount", {"mint": a[0], "amount": str(_u64(d, 1))}
    if tag == 24:
        _need(a, 1)
        return "uiAmountToAmount", {"mint": a[0], "uiAmount": d[1:].decode("utf-8")}
    return None
