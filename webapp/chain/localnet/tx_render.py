"""Rendering stored transactions the way `getTransaction` answers.

A stored record keeps the raw transaction bytes and the status meta already
in the `json` encoding; `jsonParsed` is derived from both at read time.
"""
from __future__ import annotations

from typing import Any

from solders.message import Message, MessageV0, MessageV1
from solders.transaction import VersionedTransaction

from webapp.chain.localnet.codec import b58decode, b58encode, b64encode
from webapp.chain.localnet.parse_system import parse_associated_token, parse_memo, parse_system
from webapp.chain.localnet.parse_token import parse_token

SYSTEM_PROGRAM = "11111111111111111111111111111111"
ATA_PROGRAM = "ATokenGPvbdGVxr1b2hvZbsiqW5xWH25efTNsLJA8knL"
TOKEN_PROGRAM = "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA"
TOKEN_2022_PROGRAM = "TokenzQdBNbLqP5VEhdkAS6EPFLC1PHnBqCXEpPxuEb"
MEMO_PROGRAMS = frozenset({"MemoSq4gqABAXKb96qnH8TysNcWxMyWCqXgDLGmfcHr",
                           "Memo1UhkJRfHyvLMcVucJwxXeuD728EqVDDwQDxFMNo"})

# Keys the runtime never lets a transaction write (sysvars and builtin programs);
# the RPC reports them as not writable in jsonParsed account lists.
RESERVED_KEYS = frozenset({
    SYSTEM_PROGRAM,
    "SysvarC1ock11111111111111111111111111111111", "SysvarRent111111111111111111111111111111111",
    "SysvarEpochSchedu1e111111111111111111111111", "SysvarFees111111111111111111111111111111111",
    "SysvarRecentB1ockHashes11111111111111111111", "SysvarS1otHashes111111111111111111111111111",
    "SysvarS1otHistory11111111111111111111111111", "SysvarStakeHistory1111111111111111111111111",
    "Sysvar1nstructions1111111111111111111111111", "SysvarEpochRewards1111111111111111111111111",
    "SysvarLastRestartS1ot1111111111111111111111", "ComputeBudget111111111111111111111111111111",
    "AddressLookupTab1e1111111111111111111111111", "BPFLoaderUpgradeab1e11111111111111111111111",
    "BPFLoader2111111111111111111111111111111111", "BPFLoader1111111111111111111111111111111111",
    "Config1111111111111111111111111111111111111", "Ed25519SigVerify111111111111111111111111111",
    "KeccakSecp256k11111111111111111111111111111", "Stake11111111111111111111111111111111111111",
    "Vote111111111111111111111111111111111111111", "NativeLoader1111111111111111111111111111111",
    "Feature111111111111111111111111111111111111",
})


def legacy_or_v0(tx: VersionedTransaction) -> Message | MessageV0:
    """The message of a transaction the local chain runs: decode_transaction refuses version 1 at the door."""
    message = tx.message
    if isinstance(message, MessageV1):
        raise ValueError("the local chain runs legacy and v0 transactions only, not version 1")
    return message


def all_account_keys(message: Message | MessageV0, loaded: dict[str, list[str]] | None) -> list[str]:
    """Static keys, then loaded writable, then loaded readonly: the order instructions index into."""
    keys = [str(key) for key in message.account_keys]
    if loaded:
        keys.extend(loaded.get("writable", []))
        keys.extend(loaded.get("readonly", []))
    return keys


def memo_of(message: Message | MessageV0, keys: list[str]) -> str | None:
    """The `memo` field of getSignaturesForAddress: "[len] text" per memo, joined by "; "."""
    memos = []
    for ix in message.instructions:
        if ix.program_id_index < len(keys) and keys[ix.program_id_index] in MEMO_PROGRAMS:
            text = parse_memo(bytes(ix.data))
            memos.append(f"[{len(bytes(ix.data))}] {text}")
    return "; ".join(memos) if memos else None


def _compiled_json(ix: Any) -> dict[str, Any]:
    return {"accounts": list(bytes(ix.accounts)), "data": b58encode(bytes(ix.data)),
            "programIdIndex": ix.program_id_index, "stackHeight": None}


def message_json(message: Message | MessageV0) -> dict[str, Any]:
    header = message.header
    rendered: dict[str, Any] = {
        "accountKeys": [str(key) for key in message.account_keys],
        "header": {
            "numReadonlySignedAccounts": header.num_readonly_signed_accounts,
            "numReadonlyUnsignedAccounts": header.num_readonly_unsigned_accounts,
            "numRequiredSignatures": header.num_required_signatures,
        },
        "instructions": [_compiled_json(ix) for ix in message.instructions],
        "recentBlockhash": str(message.recent_blockhash),
    }
    if isinstance(message, MessageV0):
        rendered["addressTableLookups"] = _lookups_json(message)
    return rendered


def _lookups_json(message: MessageV0) -> list[dict[str, Any]]:
    return [
        {"accountKey": str(lookup.account_key), "writableIndexes": list(bytes(lookup.writable_indexes)),
         "readonlyIndexes": list(bytes(lookup.readonly_indexes))}
        for lookup in message.address_table_lookups
    ]


def _static_writable(message: Message | MessageV0, index: int) -> bool:
    header = message.header
    signed = header.num_required_signatures
    if index < signed:
        return index < signed - header.num_readonly_signed_accounts
    return index < len(message.account_keys) - header.num_readonly_unsigned_accounts


def parsed_account_keys(message: Message | MessageV0, loaded: dict[str, list[str]] | None) -> list[dict[str, Any]]:
    invoked = {ix.program_id_index for ix in message.instructions}
    signed = message.header.num_required_signatures
    entries = []
    for index, key in enumerate(message.account_keys):
        text = str(key)
        writable = _static_writable(message, index) and index not in invoked and text not in RESERVED_KEYS
        entries.append({"pubkey": text, "signer": index < signed, "source": "transaction", "writable": writable})
    for group, writable in (("writable", True), ("readonly", False)):
        for text in (loaded or {}).get(group, []):
            entries.append({"pubkey": text, "signer": False, "source": "lookupTable", "writable": writable})
    return entries


def parse_instruction(program_id: str, accounts: list[str], data: bytes, stack_height: int | None) -> dict[str, Any]:
    """One instruction in jsonParsed form: parsed for known programs, else raw."""
    parsed: tuple[str, Any] | None = None
    program = ""
    if program_id == SYSTEM_PROGRAM:
        program, parsed = "system", parse_system(accounts, data)
    elif program_id in (TOKEN_PROGRAM, TOKEN_2022_PROGRAM):
        program = "spl-token" if program_id == TOKEN_PROGRAM else "spl-token-2022"
        parsed = parse_token(accounts, data)
    elif program_id == ATA_PROGRAM:
        program, parsed = "spl-associated-token-account", parse_associated_token(accounts, data)
    elif program_id in MEMO_PROGRAMS:
        return {"parsed": parse_memo(data), "program": "spl-memo", "programId": program_id, "stackHeight": stack_height}
    if parsed is None:
        return {"accounts": accounts, "data": b58encode(data), "programId": program_id, "stackHeight": stack_height}
    kind, info = parsed
    return {"parsed": {"info": info, "type": kind}, "program": program, "programId": program_id,
            "stackHeight": stack_height}


def message_parsed(message: Message | MessageV0, loaded: dict[str, list[str]] | None) -> dict[str, Any]:
    keys = all_account_keys(message, loaded)
    instructions = [
        parse_instruction(keys[ix.program_id_index], [keys[i] for i in bytes(ix.accounts)], bytes(ix.data), None)
        for ix in message.instructions
    ]
    rendered: dict[str, Any] = {
        "accountKeys": parsed_account_keys(message, loaded),
        "instructions": instructions,
        "recentBlockhash": str(message.recent_blockhash),
    }
    if isinstance(message, MessageV0):
        rendered["addressTableLookups"] = _lookups_json(message)
    return rendered


def _inner_parsed(inner: list[dict[str, Any]], keys: list[str]) -> list[dict[str, Any]]:
    return [
        {
            "index": group["index"],
            "instructions": [
                parse_instruction(keys[ix["programIdIndex"]], [keys[i] for i in ix["accounts"]],
                                  b58decode(ix["data"]), ix["stackHeight"])
                for ix in group["instructions"]
            ],
        }
        for group in inner
    ]


def render_transaction(record: dict[str, Any], tx: VersionedTransaction, raw: bytes, encoding: str,
                       max_supported_version: int | None) -> dict[str, Any]:
    """The `result` of getTransaction for a stored record (version already checked by the caller)."""
    message = legacy_or_v0(tx)
    meta = dict(record["meta"])
    loaded = meta.get("loadedAddresses")
    if encoding == "jsonParsed":
        keys = all_account_keys(message, loaded)
        meta.pop("loadedAddresses", None)
        meta["innerInstructions"] = _inner_parsed(meta.get("innerInstructions") or [], keys)
        transaction: Any = {"message": message_parsed(message, loaded),
                            "signatures": [str(sig) for sig in tx.signatures]}
    elif encoding == "json":
        transaction = {"message": message_json(message), "signatures": [str(sig) for sig in tx.signatures]}
    elif encoding == "base58":
        transaction = [b58encode(raw), "base58"]
    else:
        transaction = [b64encode(raw), "base64"]
    result: dict[str, Any] = {"blockTime": record["bt"], "meta": meta, "slot": record["slot"],
                              "transaction": transaction}
    if max_supported_version is not None:
        result["version"] = 0 if isinstance(message, MessageV0) else "legacy"
    return result
