"""Transaction RPC methods: send, simulate, look up, statuses, per-address history."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from solders.message import Message, MessageV0, MessageV1
from solders.transaction import VersionedTransaction

from webapp.chain.localnet import rpc_params as p
from webapp.chain.localnet.clock import PROCESSED
from webapp.chain.localnet.codec import b58decode, b64decode
from webapp.chain.localnet.errors import (
    invalid_params,
    preflight_failure,
    signature_verification_failure,
    transaction_error_json,
    unsupported_version,
)
from webapp.chain.localnet.ledger import Rejection, inner_instructions_json, return_data_json
from webapp.chain.localnet.node import LocalChain
from webapp.chain.localnet.tx_render import render_transaction

Handler = Callable[[LocalChain, list[Any]], Any]
PACKET_DATA_SIZE = 1232
MAX_BASE58_SIZE = 1683
MAX_BASE64_SIZE = 1644
MAX_STATUS_SIGNATURES = 256
MAX_SIGNATURES_FOR_ADDRESS = 1000
# Without searchTransactionHistory a node answers from its status cache only: ~300 recent slots.
STATUS_CACHE_SLOTS = 300
_TX_TYPE = "solana_transaction::versioned::VersionedTransaction"


def _decode_wire(encoded: str, encoding: str) -> bytes:
    limits = {"base58": MAX_BASE58_SIZE, "base64": MAX_BASE64_SIZE}
    if encoding not in limits:
        raise invalid_params(f"unsupported encoding: {encoding}. Supported encodings: base58, base64")
    if len(encoded) > limits[encoding]:
        raise invalid_params(f"{encoding} encoded {_TX_TYPE} too large: {len(encoded)} bytes "
                             f"(max: encoded/raw {limits[encoding]}/{PACKET_DATA_SIZE})")
    try:
        return b58decode(encoded) if encoding == "base58" else b64decode(encoded)
    except ValueError as exc:
        raise invalid_params(f"invalid {encoding} encoding: {exc}") from None


def _is_interrupt(exc: BaseException) -> bool:
    return isinstance(exc, (KeyboardInterrupt, SystemExit))


def decode_transaction(encoded: Any, encoding: str) -> VersionedTransaction:
    """Decode and sanitize a wire transaction with the RPC's size limits and messages."""
    if not isinstance(encoded, str):
        raise invalid_params("Invalid params: invalid type: expected an encoded transaction string.")
    raw = _decode_wire(encoded, encoding)
    if len(raw) > PACKET_DATA_SIZE:
        raise invalid_params(f"decoded {_TX_TYPE} too large: {len(raw)} bytes (max: {PACKET_DATA_SIZE} bytes)")
    try:
        tx = VersionedTransaction.from_bytes(raw)
    except BaseException as exc:  # solders raises pyo3 panics (BaseException) on some garbage
        if _is_interrupt(exc):
            raise
        raise invalid_params(f"failed to deserialize {_TX_TYPE}: io error: unexpected end of file") from None
    try:
        tx.sanitize()
    except BaseException as exc:
        if _is_interrupt(exc):
            raise
        raise invalid_params("invalid transaction: Transaction failed to sanitize accounts offsets correctly") from None
    if isinstance(tx.message, MessageV1):  # the ledger and getTransaction render legacy and v0 messages only
        raise invalid_params(f"failed to deserialize {_TX_TYPE}: unsupported transaction message version 1")
    return tx


def send_transaction(chain: LocalChain, params: list[Any]) -> str:
    cfg = p.config(params, 1)
    tx = decode_transaction(p.param(params, 0, "transaction"), cfg.get("encoding") or "base58")
    p.check_min_context_slot(cfg, chain.clock.slot)
    skip_preflight = bool(cfg.get("skipPreflight"))
    if not skip_preflight:
        p.commitment({"commitment": cfg.get("preflightCommitment")})
    outcome = chain.ledger.execute(tx, bytes(tx), preflight=not skip_preflight)
    if isinstance(outcome, Rejection) and not skip_preflight:
        if outcome.signature_failure:
            raise signature_verification_failure()
        raise preflight_failure(outcome.err, outcome.simulation)
    # Without preflight a refused transaction is dropped silently, as the cluster would.
    return str(tx.signatures[0])


def _with_blockhash(tx: VersionedTransaction, blockhash: Any) -> VersionedTransaction:
    message = tx.message
    if isinstance(message, MessageV0):
        rebuilt: Message | MessageV0 = MessageV0(message.header, message.account_keys, blockhash,
                                                 message.instructions, message.address_table_lookups)
    else:
        rebuilt = Message.new_with_compiled_instructions(
            message.header.num_required_signatures, message.header.num_readonly_signed_accounts,
            message.header.num_readonly_unsigned_accounts, message.account_keys, blockhash, message.instructions)
    return VersionedTransaction.populate(rebuilt, tx.signatures)


def simulate_transaction(chain: LocalChain, params: list[Any]) -> dict[str, Any]:
    cfg = p.config(params, 1)
    tx = decode_transaction(p.param(params, 0, "transaction"), cfg.get("encoding") or "base58")
    slot = p.context_slot(chain.clock, cfg)
    if cfg.get("sigVerify") and cfg.get("replaceRecentBlockhash"):
        raise invalid_params("sigVerify may not be used with replaceRecentBlockhash")
    if cfg.get("sigVerify") and not all(tx.verify_with_results()):
        raise signature_verification_failure()
    replacement = None
    if cfg.get("replaceRecentBlockhash"):
        blockhash, last_valid = chain.clock.latest_blockhash(PROCESSED)
        tx = _with_blockhash(tx, blockhash)
        replacement = {"blockhash": str(blockhash), "lastValidBlockHeight": last_valid}
    elif chain.clock.blockhash_slot(str(tx.message.recent_blockhash)) is None:
        return p.with_context(slot, _simulation(None, "BlockhashNotFound"))
    result = chain.ledger.svm.simulate_transaction(tx)
    err = None
    if hasattr(result, "err"):
        err = transaction_error_json(result.err())
    value = _simulation(result.meta(), err)
    value["replacementBlockhash"] = replacement
    value["accounts"] = _simulated_accounts(chain, result, cfg.get("accounts"))
    if cfg.get("innerInstructions"):
        value["innerInstructions"] = inner_instructions_json(result.meta().inner_instructions())
    return p.with_context(slot, value)


def _simulation(meta: Any, err: Any) -> dict[str, Any]:
    return {"accounts": None, "err": err, "innerInstructions": None, "loadedAccountsDataSize": 0,
            "logs": list(meta.logs()) if meta is not None else [], "replacementBlockhash": None,
            "returnData": return_data_json(meta), "unitsConsumed": meta.compute_units_consumed() if meta else 0}


def _simulated_accounts(chain: LocalChain, result: Any, spec: Any) -> list[Any] | None:
    if not isinstance(spec, dict) or not isinstance(spec.get("addresses"), list):
        return None
    after = dict(result.post_accounts()) if hasattr(result, "post_accounts") else {}
    encoding = p.account_encoding(spec, "base64")
    accounts = []
    for text in spec["addresses"]:
        key = p.pubkey(text)
        account = after.get(key, chain.ledger.account(key))
        accounts.append(p.account_json(account, encoding, {}) if account is not None else None)
    return accounts


def get_transaction(chain: LocalChain, params: list[Any]) -> dict[str, Any] | None:
    signature = p.signature(p.param(params, 0, "signature"))
    raw_cfg = params[1] if len(params) > 1 else None
    cfg: dict[str, Any] = {"encoding": raw_cfg} if isinstance(raw_cfg, str) else p.config(params, 1)
    encoding = cfg.get("encoding") or "json"
    if encoding not in ("json", "jsonParsed", "base58", "base64"):
        raise invalid_params(f"Invalid params: unknown variant `{encoding}`.")
    level = p.commitment(cfg)
    if level == PROCESSED:
        raise invalid_params("Method does not support commitment below `confirmed`")
    entry = chain.store.get(signature)
    if entry is None or not chain.clock.reached(entry.slot, level):
        return None
    record = chain.store.record(entry)
    raw = b64decode(record["tx"])
    tx = VersionedTransaction.from_bytes(raw)
    max_version = cfg.get("maxSupportedTransactionVersion")
    if isinstance(tx.message, MessageV0) and (not isinstance(max_version, int) or max_version < 0):
        raise unsupported_version(0)
    return render_transaction(record, tx, raw, encoding, max_version)


def get_signature_statuses(chain: LocalChain, params: list[Any]) -> dict[str, Any]:
    signatures = p.param(params, 0, "signatures")
    if not isinstance(signatures, list):
        raise invalid_params("Invalid params: invalid type: expected a sequence.")
    if len(signatures) > MAX_STATUS_SIGNATURES:
        raise invalid_params(f"Too many inputs provided; max {MAX_STATUS_SIGNATURES}")
    search_history = bool(p.config(params, 1).get("searchTransactionHistory"))
    statuses: list[dict[str, Any] | None] = []
    for text in signatures:
        entry = chain.store.get(p.signature(text))
        if entry is None or (not search_history and chain.clock.slot - entry.slot > STATUS_CACHE_SLOTS):
            statuses.append(None)
            continue
        confirmations, status = chain.clock.status_of(entry.slot)
        statuses.append({"confirmationStatus": status, "confirmations": confirmations, "err": entry.err,
                         "slot": entry.slot,
                         "status": {"Ok": None} if entry.err is None else {"Err": entry.err}})
    return p.with_context(chain.clock.slot, statuses)


def get_signatures_for_address(chain: LocalChain, params: list[Any]) -> list[dict[str, Any]]:
    address = str(p.pubkey(p.param(params, 0, "address")))
    cfg = p.config(params, 1)
    level = p.commitment(cfg)
    if level == PROCESSED:
        raise invalid_params("Method does not support commitment below `confirmed`")
    limit = cfg.get("limit") or MAX_SIGNATURES_FOR_ADDRESS
    if not isinstance(limit, int) or limit < 1 or limit > MAX_SIGNATURES_FOR_ADDRESS:
        raise invalid_params(f"Invalid limit; max {MAX_SIGNATURES_FOR_ADDRESS}")
    before = p.signature(cfg["before"]) if cfg.get("before") else None
    until = p.signature(cfg["until"]) if cfg.get("until") else None
    max_slot = p.context_slot(chain.clock, cfg)
    entries = chain.store.signatures_for(address, before=before, until=until, limit=limit, max_slot=max_slot)
    return [
        {"blockTime": e.block_time, "confirmationStatus": chain.clock.status_of(e.slot)[1], "err": e.err,
         "memo": e.memo, "signature": e.signature, "slot": e.slot}
        for e in entries
    ]


METHODS: dict[str, Handler] = {
    "sendTransaction": send_transaction,
    "simulateTransaction": simulate_transaction,
    "getTransaction": get_transaction,
    "getSignatureStatuses": get_signature_statuses,
    "getSignaturesForAddress": get_signatures_for_address,
}
