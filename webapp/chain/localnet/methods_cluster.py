"""Cluster-level RPC methods: health, version, slots, blockhashes, fees, rent, airdrops."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from solders.message import Message, MessageV0
from solders.signature import Signature
from solders.transaction import VersionedTransaction

from webapp.chain.localnet import rpc_params as p
from webapp.chain.localnet.clock import SLOTS_PER_EPOCH
from webapp.chain.localnet.codec import b58encode, b64decode
from webapp.chain.localnet.errors import INTERNAL_ERROR, RpcError, describe_transaction_error, invalid_params
from webapp.chain.localnet.ledger import Rejection
from webapp.chain.localnet.node import LocalChain

Handler = Callable[[LocalChain, list[Any]], Any]
FEATURE_SET = 3_640_012_085


def get_health(chain: LocalChain, params: list[Any]) -> str:
    return "ok"


def get_version(chain: LocalChain, params: list[Any]) -> dict[str, Any]:
    return {"feature-set": FEATURE_SET, "solana-core": p.API_VERSION}


def get_slot(chain: LocalChain, params: list[Any]) -> int:
    return p.context_slot(chain.clock, p.config(params, 0))


def get_latest_blockhash(chain: LocalChain, params: list[Any]) -> dict[str, Any]:
    cfg = p.config(params, 0)
    level = p.commitment(cfg)
    slot = p.context_slot(chain.clock, cfg)
    blockhash, last_valid = chain.clock.latest_blockhash(level)
    return p.with_context(slot, {"blockhash": str(blockhash), "lastValidBlockHeight": last_valid})


def is_blockhash_valid(chain: LocalChain, params: list[Any]) -> dict[str, Any]:
    blockhash = p.param(params, 0, "blockhash")
    if not isinstance(blockhash, str):
        raise invalid_params("Invalid param: Invalid")
    cfg = p.config(params, 1)
    slot = p.context_slot(chain.clock, cfg, "finalized")
    produced = chain.clock.blockhash_slot(blockhash)
    return p.with_context(slot, produced is not None and produced <= slot)


def get_minimum_balance_for_rent_exemption(chain: LocalChain, params: list[Any]) -> int:
    size = p.int_param(p.param(params, 0, "usize"), "usize")
    return chain.ledger.svm.minimum_balance_for_rent_exemption(size)


def _decode_message(encoded: Any) -> Message | MessageV0:
    if not isinstance(encoded, str):
        raise invalid_params("Invalid params: invalid type: expected a base64 message.")
    try:
        raw = b64decode(encoded)
    except ValueError as exc:
        raise invalid_params(f"invalid base64 encoding: {exc}") from None
    try:
        return MessageV0.from_bytes(raw[1:]) if raw and raw[0] & 0x80 else Message.from_bytes(raw)
    except BaseException as exc:
        if isinstance(exc, (KeyboardInterrupt, SystemExit)):
            raise
        raise invalid_params("invalid transaction message: failed to deserialize message") from None


def get_fee_for_message(chain: LocalChain, params: list[Any]) -> dict[str, Any]:
    message = _decode_message(p.param(params, 0, "message"))
    slot = p.context_slot(chain.clock, p.config(params, 1), "finalized")
    if chain.clock.blockhash_slot(str(message.recent_blockhash)) is None:
        return p.with_context(slot, None)
    # The fee is what LiteSVM would charge: simulate with placeholder signatures.
    signatures = [Signature.default()] * message.header.num_required_signatures
    result = chain.ledger.svm.simulate_transaction(VersionedTransaction.populate(message, signatures))
    return p.with_context(slot, result.meta().fee())


def request_airdrop(chain: LocalChain, params: list[Any]) -> str:
    recipient = p.pubkey(p.param(params, 0, "pubkey"))
    lamports = p.int_param(p.param(params, 1, "lamports"), "lamports")
    outcome = chain.ledger.airdrop(recipient, lamports)
    if isinstance(outcome, Rejection):
        raise RpcError(INTERNAL_ERROR, f"Internal error: airdrop failed: {describe_transaction_error(outcome.err)}")
    return outcome.signature


def get_block_height(chain: LocalChain, params: list[Any]) -> int:
    return p.context_slot(chain.clock, p.config(params, 0))


def get_epoch_info(chain: LocalChain, params: list[Any]) -> dict[str, Any]:
    slot = p.context_slot(chain.clock, p.config(params, 0))
    return {"absoluteSlot": slot, "blockHeight": slot, "epoch": slot // SLOTS_PER_EPOCH,
            "slotIndex": slot % SLOTS_PER_EPOCH, "slotsInEpoch": SLOTS_PER_EPOCH,
            "transactionCount": len(chain.store)}


def get_genesis_hash(chain: LocalChain, params: list[Any]) -> str:
    return b58encode(chain.genesis_hash)


def get_identity(chain: LocalChain, params: list[Any]) -> dict[str, str]:
    return {"identity": str(chain.ledger.faucet.pubkey())}


def get_transaction_count(chain: LocalChain, params: list[Any]) -> int:
    return len(chain.store)


def get_block_time(chain: LocalChain, params: list[Any]) -> int:
    slot = p.int_param(p.param(params, 0, "slot"), "slot")
    block_time = chain.clock.known_block_time(slot)
    if block_time is None:
        raise RpcError(-32004, f"Block not available for slot {slot}")
    return block_time


def get_first_available_block(chain: LocalChain, params: list[Any]) -> int:
    return 0


def get_recent_prioritization_fees(chain: LocalChain, params: list[Any]) -> list[Any]:
    return []


METHODS: dict[str, Handler] = {
    "getHealth": get_health,
    "getVersion": get_version,
    "getSlot": get_slot,
    "getBlockHeight": get_block_height,
    "getLatestBlockhash": get_latest_blockhash,
    "isBlockhashValid": is_blockhash_valid,
    "getMinimumBalanceForRentExemption": get_minimum_balance_for_rent_exemption,
    "getFeeForMessage": get_fee_for_message,
    "requestAirdrop": request_airdrop,
    "getEpochInfo": get_epoch_info,
    "getGenesisHash": get_genesis_hash,
    "getIdentity": get_identity,
    "getTransactionCount": get_transaction_count,
    "getBlockTime": get_block_time,
    "getFirstAvailableBlock": get_first_available_block,
    "getRecentPrioritizationFees": get_recent_prioritization_fees,
}
