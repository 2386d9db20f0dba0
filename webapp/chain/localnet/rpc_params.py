"""Reading JSON-RPC params the way the Solana RPC validates them, and shared response shapes."""
from __future__ import annotations

from typing import Any

from solders.account import Account
from solders.pubkey import Pubkey
from solders.signature import Signature

from webapp.chain.localnet.clock import SlotClock, normalize_commitment
from webapp.chain.localnet.codec import b58decode, b58encode, b64encode
from webapp.chain.localnet.errors import RpcError, invalid_params, min_context_slot_not_reached

API_VERSION = "3.0.0"


def param(params: list[Any], index: int, name: str, *, required: bool = True) -> Any:
    if index < len(params):
        return params[index]
    if required:
        raise invalid_params(f"Invalid params: missing field `{name}`.")
    return None


def config(params: list[Any], index: int) -> dict[str, Any]:
    value = params[index] if index < len(params) else None
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise invalid_params("Invalid params: invalid type: expected struct config.")
    return value


def _base58_bytes(value: Any, size: int) -> bytes:
    """Decode a base58 param of exactly `size` bytes, with the validator's error messages."""
    if not isinstance(value, str):
        raise invalid_params("Invalid param: Invalid")
    try:
        raw = b58decode(value)
    except ValueError:
        raise invalid_params("Invalid param: Invalid") from None
    if len(raw) != size:
        raise invalid_params("Invalid param: WrongSize")
    return raw


def pubkey(value: Any) -> Pubkey:
    return Pubkey(_base58_bytes(value, 32))


def signature(value: Any) -> str:
    return str(Signature(_base58_bytes(value, 64)))


def commitment(cfg: dict[str, Any], default: str = "finalized") -> str:
    try:
        return normalize_commitment(cfg.get("commitment"), default)
    except ValueError as exc:
        raise invalid_params(f"Invalid params: {exc}.") from None


def check_min_context_slot(cfg: dict[str, Any], context_slot: int) -> None:
    wanted = cfg.get("minContextSlot")
    if isinstance(wanted, int) and wanted > context_slot:
        raise min_context_slot_not_reached(context_slot)


def int_param(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise invalid_params(f"Invalid params: invalid type for `{name}`, expected u64.")
    return value


def with_context(slot: int, value: Any) -> dict[str, Any]:
    return {"context": {"apiVersion": API_VERSION, "slot": slot}, "value": value}


def context_slot(clock: SlotClock, cfg: dict[str, Any], default: str = "finalized") -> int:
    slot = clock.commitment_slot(commitment(cfg, default))
    check_min_context_slot(cfg, slot)
    return slot


ACCOUNT_ENCODINGS = ("binary", "base58", "base64", "jsonParsed")


def account_encoding(cfg: dict[str, Any], default: str = "binary") -> str:
    encoding = cfg.get("encoding") or default
    if encoding not in ACCOUNT_ENCODINGS:
        raise invalid_params(f"Invalid params: unknown variant `{encoding}`, expected one of "
                             "`binary`, `base58`, `base64`, `jsonParsed`, `base64+zstd`.")
    return encoding


def _slice(data: bytes, cfg: dict[str, Any]) -> bytes:
    window = cfg.get("dataSlice")
    if not isinstance(window, dict):
        return data
    offset, length = int(window.get("offset", 0)), int(window.get("length", 0))
    return data[offset : offset + length]


def account_json(account: Account, encoding: str, cfg: dict[str, Any], parsed: Any = None) -> dict[str, Any]:
    """UiAccount. `parsed` is the jsonParsed data when the caller could parse the account."""
    raw = _slice(bytes(account.data), cfg)
    if encoding == "jsonParsed" and parsed is not None:
        data: Any = parsed
    elif encoding == "binary":
        data = b58encode(raw)
    elif encoding == "base58":
        data = [b58encode(raw), "base58"]
    else:
        data = [b64encode(raw), "base64"]
    return {"data": data, "executable": account.executable, "lamports": account.lamports,
            "owner": str(account.owner), "rentEpoch": account.rent_epoch, "space": len(account.data)}


def ensure(condition: bool, message: str) -> None:
    if not condition:
        raise RpcError(-32602, message)
