"""Read a ``getTransaction`` result (``json`` or ``jsonParsed``) into one shape.

Both encodings become a :class:`Transaction`: the full account list, who
signed, which accounts are writable, every instruction (outer and inner, in
execution order, each with the chain of programs that called it) and the
lamport and token balances before and after.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

from webapp.chain.classify import programs

_BASE58_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_BASE58_VALUES = {char: value for value, char in enumerate(_BASE58_ALPHABET)}


class MalformedTransaction(ValueError):
    """The input is not a transaction this reader can make sense of."""


class Instruction(NamedTuple):
    """One instruction (a NamedTuple: a transaction has dozens, and building them is on the indexer's hot path)."""

    program_id: str
    accounts: tuple[str, ...]
    data: bytes | None  # raw instruction bytes; None when only ``parsed`` is known
    parsed: dict[str, Any] | None  # jsonParsed {"type", "info"} for known programs
    path: tuple[str, ...]  # programs from the top-level instruction down to this one
    caller_accounts: tuple[str, ...]  # accounts of the instruction that invoked this one
    position: int  # execution order within the transaction


class TokenBalance(NamedTuple):
    account: str
    mint: str
    owner: str | None
    amount: int


@dataclass(frozen=True)
class Transaction:
    signature: str | None
    slot: int | None
    block_time: int | None
    account_keys: tuple[str, ...]
    signers: tuple[str, ...]  # in message order; the first pays the fee
    writable: frozenset[str]
    fee: int
    err: Any
    instructions: tuple[Instruction, ...]
    pre_lamports: dict[str, int]
    post_lamports: dict[str, int]
    pre_tokens: tuple[TokenBalance, ...]
    post_tokens: tuple[TokenBalance, ...]

    @property
    def fee_payer(self) -> str | None:
        return self.signers[0] if self.signers else None


DATA_READ_FROM = programs.TOKEN_PROGRAMS | {programs.SYSTEM, programs.ASSOCIATED_TOKEN}


def b58decode(text: str) -> bytes:
    """Decode base58 (Bitcoin alphabet), as used for instruction data."""
    number = 0
    for char in text:
        if char not in _BASE58_VALUES:
            raise MalformedTransaction(f"invalid base58 character {char!r}")
        number = number * 58 + _BASE58_VALUES[char]
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    leading_zeros = len(text) - len(text.lstrip("1"))
    return b"\x00" * leading_zeros + body


def read_transaction(raw: Any) -> Transaction:
    """Normalise one ``getTransaction`` result; raise MalformedTransaction if unusable."""
    tx = _mapping(raw, "transaction result")
    envelope = _mapping(tx.get("transaction"), "transaction")
    message = _mapping(envelope.get("message"), "transaction.message")
    meta = _mapping(tx.get("meta"), "meta")
    keys, signers, writable = _read_accounts(message, meta)
    return Transaction(
        signature=_first_signature(envelope),
        slot=_optional_int(tx.get("slot")),
        block_time=_optional_int(tx.get("blockTime")),
        account_keys=keys,
        signers=signers,
        writable=writable,
        fee=_optional_int(meta.get("fee")) or 0,
        err=meta.get("err"),
        instructions=_read_instructions(message, meta, keys),
        pre_lamports=_lamports(meta.get("preBalances"), keys, "preBalances"),
        post_lamports=_lamports(meta.get("postBalances"), keys, "postBalances"),
        pre_tokens=_token_balances(meta.get("preTokenBalances"), keys),
        post_tokens=_token_balances(meta.get("postTokenBalances"), keys),
    )


def _mapping(value: Any, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise MalformedTransaction(f"{what} is missing or not an object")
    return value


def _optional_int(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value


def _amount(value: Any) -> int:
    """A base-unit amount: JSON gives them as decimal strings (u64 overflows doubles)."""
    if isinstance(value, bool):
        raise MalformedTransaction("amount is a boolean")
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isascii() and value.isdigit():
        return int(value)
    raise MalformedTransaction(f"amount {value!r} is not an integer")


def _first_signature(envelope: dict[str, Any]) -> str | None:
    signatures = envelope.get("signatures")
    if isinstance(signatures, list) and signatures and isinstance(signatures[0], str):
        return signatures[0]
    return None


def _read_accounts(
    message: dict[str, Any], meta: dict[str, Any]
) -> tuple[tuple[str, ...], tuple[str, ...], frozenset[str]]:
    static = message.get("accountKeys")
    if not isinstance(static, list) or not static:
        raise MalformedTransaction("message.accountKeys is missing or empty")
    if all(isinstance(key, dict) for key in static):
        return _parsed_accounts(static, meta)
    if all(isinstance(key, str) for key in static):
        return _raw_accounts(static, message.get("header"), meta)
    raise MalformedTransaction("message.accountKeys mixes formats")


def _parsed_accounts(
    static: list[dict[str, Any]], meta: dict[str, Any]
) -> tuple[tuple[str, ...], tuple[str, ...], frozenset[str]]:
    # jsonParsed normally lists lookup-table addresses in accountKeys already
    # (source "lookupTable"), each with its signer and writable flags. When
    # the balances count more accounts than that, the rest were loaded.
    keys = [_pubkey(entry.get("pubkey")) for entry in static]
    balances = meta.get("preBalances")
    if isinstance(balances, list) and len(balances) > len(keys):
        loaded_writable, loaded_readonly = _loaded_addresses(meta)
        keys += loaded_writable + loaded_readonly
        static = static + [{"writable": True} for _ in loaded_writable]
    signers = tuple(k for k, e in zip(keys, static, strict=False) if e.get("signer") is True)
    writable = frozenset(
        k for k, e in zip(keys, static, strict=False) if e.get("writable") is True
    )
    return tuple(keys), signers, writable


def _raw_accounts(
    static: list[str], header: Any, meta: dict[str, Any]
) -> tuple[tuple[str, ...], tuple[str, ...], frozenset[str]]:
    # json encoding: static keys, then loaded writable, then loaded readonly.
    header = _mapping(header, "message.header")
    n_signed = _optional_int(header.get("numRequiredSignatures")) or 0
    ro_signed = _optional_int(header.get("numReadonlySignedAccounts")) or 0
    ro_unsigned = _optional_int(header.get("numReadonlyUnsignedAccounts")) or 0
    loaded_writable, loaded_readonly = _loaded_addresses(meta)
    keys = [_pubkey(k) for k in static] + loaded_writable + loaded_readonly
    writable = {k for i, k in enumerate(static) if i < n_signed - ro_signed}
    writable |= {k for i, k in enumerate(static) if n_signed <= i < len(static) - ro_unsigned}
    writable |= set(loaded_writable)
    return tuple(keys), tuple(static[:n_signed]), frozenset(writable)


def _loaded_addresses(meta: dict[str, Any]) -> tuple[list[str], list[str]]:
    """Addresses a v0 message loaded from lookup tables: (writable, readonly)."""
    loaded = meta.get("loadedAddresses")
    if loaded is None:
        return [], []
    loaded = _mapping(loaded, "meta.loadedAddresses")
    return (
        [_pubkey(k) for k in _list(loaded.get("writable"))],
        [_pubkey(k) for k in _list(loaded.get("readonly"))],
    )


def _pubkey(value: Any) -> str:
    if not isinstance(value, str) or not value:
        raise MalformedTransaction(f"account key {value!r} is not a base58 string")
    return value


def _lamports(values: Any, keys: tuple[str, ...], what: str) -> dict[str, int]:
    if not isinstance(values, list) or len(values) != len(keys):
        raise MalformedTransaction(f"meta.{what} does not match the account list")
    if all(type(value) is int for value in values):  # the usual case: plain JSON integers
        return dict(zip(keys, values, strict=True))
    return {key: _amount(value) for key, value in zip(keys, values, strict=True)}


def _token_balances(values: Any, keys: tuple[str, ...]) -> tuple[TokenBalance, ...]:
    if values is None:
        return ()
    if not isinstance(values, list):
        raise MalformedTransaction("token balances are not a list")
    balances = []
    count = len(keys)
    for entry in values:
        entry = _mapping(entry, "token balance")
        index = entry.get("accountIndex")
        if type(index) is not int or not 0 <= index < count:
            raise MalformedTransaction("token balance points outside the account list")
        ui_amount = _mapping(entry.get("uiTokenAmount"), "uiTokenAmount")
        owner = entry.get("owner")
        balances.append(TokenBalance(keys[index], _pubkey(entry.get("mint")),
                                     owner if type(owner) is str and owner else None, _amount(ui_amount.get("amount"))))
    return tuple(balances)


def _read_instructions(
    message: dict[str, Any], meta: dict[str, Any], keys: tuple[str, ...]
) -> tuple[Instruction, ...]:
    outer = message.get("instructions")
    if not isinstance(outer, list):
        raise MalformedTransaction("message.instructions is not a list")
    inner_by_outer = _inner_instructions(meta.get("innerInstructions"))
    result: list[Instruction] = []
    for index, raw in enumerate(outer):
        top = _instruction(raw, keys, (), (), len(result))
        result.append(top)
        # stackHeight says how deep each inner call sits; older transactions
        # lack it, so their inner instructions hang directly off the outer one.
        stack: list[Instruction] = [top]
        for raw_inner in inner_by_outer.get(index, []):
            height = _optional_int(_mapping(raw_inner, "inner instruction").get("stackHeight"))
            depth = max(1, min((height or 2) - 1, len(stack)))
            caller = stack[depth - 1]
            inner = _instruction(raw_inner, keys, caller.path, caller.accounts, len(result))
            result.append(inner)
            stack = [*stack[:depth], inner]
    return tuple(result)


def _inner_instructions(value: Any) -> dict[int, list[Any]]:
    if value is None:
        return {}
    if not isinstance(value, list):
        raise MalformedTransaction("meta.innerInstructions is not a list")
    grouped: dict[int, list[Any]] = {}
    for group in value:
        group = _mapping(group, "inner instruction group")
        index = _optional_int(group.get("index"))
        instructions = group.get("instructions")
        if index is None or not isinstance(instructions, list):
            raise MalformedTransaction("inner instruction group is malformed")
        grouped.setdefault(index, []).extend(instructions)
    return grouped


def _instruction(
    raw: Any,
    keys: tuple[str, ...],
    caller_path: tuple[str, ...],
    caller_accounts: tuple[str, ...],
    position: int,
) -> Instruction:
    if type(raw) is not dict:
        raise MalformedTransaction("instruction is missing or not an object")
    index = raw.get("programIdIndex")
    listed = raw.get("accounts")
    if type(listed) is not list:
        listed = _list(listed)
    if index is not None:
        program_id = keys[index] if type(index) is int and 0 <= index < len(keys) else _key_at(keys, index)
        accounts = _keys_at(keys, listed)
    else:
        program_id = _pubkey(raw.get("programId"))
        accounts = tuple(listed) if all(type(a) is str and a for a in listed) else tuple(_pubkey(a) for a in listed)
    parsed = raw.get("parsed")
    data = raw.get("data")
    # Only these programs' bytes are ever read; decoding the rest (routers, AMMs)
    # was the largest single cost of classifying a transaction.
    decoded = b58decode(data) if type(data) is str and program_id in DATA_READ_FROM else None
    return Instruction(program_id, accounts, decoded, parsed if type(parsed) is dict else None,
                       (*caller_path, program_id), caller_accounts, position)


def _list(value: Any) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise MalformedTransaction(f"expected a list, found {type(value).__name__}")
    return value


def _keys_at(keys: tuple[str, ...], indexes: list[Any]) -> tuple[str, ...]:
    """Account keys by index; the fast path for the common, well-formed case (this runs per instruction)."""
    try:
        picked = tuple([keys[i] for i in indexes])  # TypeError for a non-integer; IndexError past the end
        if not indexes or (min(indexes) >= 0 and all(type(i) is int for i in indexes)):
            return picked
    except (IndexError, TypeError):
        pass
    return tuple(_key_at(keys, i) for i in indexes)


def _key_at(keys: tuple[str, ...], index: Any) -> str:
    position = _optional_int(index)
    if position is None or not 0 <= position < len(keys):
        raise MalformedTransaction(f"account index {index!r} is outside the account list")
    return keys[position]
