"""SolanaRpcClient: the one way the (synchronous) app talks to Solana.

Typed calls over `FailoverTransport`; amounts come back as int base units.
Replies are parsed with solders' response classes where they fit.
"""
from __future__ import annotations

import base64
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from prometheus_client import CollectorRegistry
from solders.account import Account
from solders.hash import Hash
from solders.message import Message, MessageV0, to_bytes_versioned
from solders.pubkey import Pubkey
from solders.rpc.responses import GetAccountInfoResp, GetLatestBlockhashResp
from solders.signature import Signature
from solders.transaction import Transaction, VersionedTransaction

from webapp.chain.rpc.errors import BlockhashExpired, ConfirmationTimeout, SolanaRpcError, TransactionFailed
from webapp.chain.rpc.transport import FailoverTransport

COMMITMENT_ORDER = {"processed": 0, "confirmed": 1, "finalized": 2}
AddressLike = Pubkey | str
SignatureLike = Signature | str
_Parsed = TypeVar("_Parsed")


@dataclass(frozen=True)
class LatestBlockhash:
    blockhash: Hash
    last_valid_block_height: int


@dataclass(frozen=True)
class TokenAmount:
    amount: int
    decimals: int


@dataclass(frozen=True)
class TokenHolding:
    address: str
    mint: str
    owner: str
    amount: int
    decimals: int


@dataclass(frozen=True)
class SignatureStatus:
    slot: int
    confirmations: int | None
    err: Any
    confirmation_status: str | None

    def reached(self, commitment: str) -> bool:
        return COMMITMENT_ORDER.get(self.confirmation_status or "", -1) >= COMMITMENT_ORDER[commitment]


@dataclass(frozen=True)
class SignatureInfo:
    signature: str
    slot: int
    err: Any
    memo: str | None
    block_time: int | None
    confirmation_status: str | None


def _wire(tx: bytes | Transaction | VersionedTransaction) -> bytes:
    return tx if isinstance(tx, bytes) else bytes(tx)


def _success(method: str, parsed: object, kind: type[_Parsed]) -> _Parsed:
    """solders parses a reply as its result or an RPC error; the transport already raised for error replies."""
    if not isinstance(parsed, kind):
        raise SolanaRpcError(method, -32603, f"unexpected {type(parsed).__name__} reply")
    return parsed


class SolanaRpcClient:
    def __init__(self, urls: Sequence[str], *, timeout: float = 10.0, max_attempts: int = 4,
                 failure_threshold: int = 3, reset_timeout: float = 10.0,
                 registry: CollectorRegistry | None = None, default_commitment: str = "confirmed") -> None:
        self.transport = FailoverTransport(urls, timeout=timeout, max_attempts=max_attempts,
                                           failure_threshold=failure_threshold, reset_timeout=reset_timeout,
                                           registry=registry)
        self.commitment = default_commitment

    def __enter__(self) -> SolanaRpcClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.transport.close()

    def call(self, method: str, params: list[Any] | None = None) -> Any:
        """Any JSON-RPC method; returns its `result` as plain JSON."""
        return self.transport.call(method, params).payload["result"]

    def _cfg(self, commitment: str | None, **extra: Any) -> dict[str, Any]:
        cfg = {"commitment": commitment or self.commitment}
        cfg.update({key: value for key, value in extra.items() if value is not None})
        return cfg

    def health(self) -> list[dict[str, Any]]:
        """Per endpoint: url (redacted), ok, latency_ms, slot, slot_lag, breaker, error."""
        return self.transport.health()

    # --- cluster -------------------------------------------------------------

    def get_slot(self, commitment: str | None = None) -> int:
        return int(self.call("getSlot", [self._cfg(commitment)]))

    def get_block_height(self, commitment: str | None = None) -> int:
        return int(self.call("getBlockHeight", [self._cfg(commitment)]))

    def get_latest_blockhash(self, commitment: str | None = None) -> LatestBlockhash:
        reply = self.transport.call("getLatestBlockhash", [self._cfg(commitment)])
        parsed = GetLatestBlockhashResp.from_json(reply.raw.decode())
        value = _success("getLatestBlockhash", parsed, GetLatestBlockhashResp).value
        return LatestBlockhash(value.blockhash, value.last_valid_block_height)

    def is_blockhash_valid(self, blockhash: Hash | str, commitment: str | None = None) -> bool:
        return bool(self.call("isBlockhashValid", [str(blockhash), self._cfg(commitment)])["value"])

    def get_minimum_balance_for_rent_exemption(self, size: int) -> int:
        return int(self.call("getMinimumBalanceForRentExemption", [size]))

    def get_fee_for_message(self, message: Message | MessageV0, commitment: str | None = None) -> int | None:
        encoded = base64.b64encode(to_bytes_versioned(message)).decode()
        value = self.call("getFeeForMessage", [encoded, self._cfg(commitment)])["value"]
        return None if value is None else int(value)

    def request_airdrop(self, address: AddressLike, lamports: int) -> Signature:
        return Signature.from_string(self.call("requestAirdrop", [str(address), int(lamports)]))

    # --- accounts ------------------------------------------------------------

    def get_balance(self, address: AddressLike, commitment: str | None = None) -> int:
        return int(self.call("getBalance", [str(address), self._cfg(commitment)])["value"])

    def get_account_info(self, address: AddressLike, commitment: str | None = None) -> Account | None:
        reply = self.transport.call("getAccountInfo", [str(address), self._cfg(commitment, encoding="base64")])
        parsed = GetAccountInfoResp.from_json(reply.raw.decode())
        return _success("getAccountInfo", parsed, GetAccountInfoResp).value

    def get_token_account_balance(self, address: AddressLike, commitment: str | None = None) -> TokenAmount:
        value = self.call("getTokenAccountBalance", [str(address), self._cfg(commitment)])["value"]
        return TokenAmount(int(value["amount"]), int(value["decimals"]))

    def get_token_supply(self, mint: AddressLike, commitment: str | None = None) -> TokenAmount:
        value = self.call("getTokenSupply", [str(mint), self._cfg(commitment)])["value"]
        return TokenAmount(int(value["amount"]), int(value["decimals"]))

    def get_token_accounts_by_owner(self, owner: AddressLike, *, mint: AddressLike | None = None,
                                    program_id: AddressLike | None = None,
                                    commitment: str | None = None) -> list[TokenHolding]:
        if (mint is None) == (program_id is None):
            raise ValueError("give exactly one of mint or program_id")
        selector = {"mint": str(mint)} if mint is not None else {"programId": str(program_id)}
        cfg = self._cfg(commitment, encoding="jsonParsed")
        holdings = []
        for item in self.call("getTokenAccountsByOwner", [str(owner), selector, cfg])["value"]:
            info = item["account"]["data"]["parsed"]["info"]
            amount = info["tokenAmount"]
            holdings.append(TokenHolding(item["pubkey"], info["mint"], info["owner"], int(amount["amount"]),
                                         int(amount["decimals"])))
        return holdings

    def get_token_largest_accounts(self, mint: AddressLike, commitment: str | None = None) -> list[tuple[str, int]]:
        value = self.call("getTokenLargestAccounts", [str(mint), self._cfg(commitment)])["value"]
        return [(item["address"], int(item["amount"])) for item in value]

    # --- transactions ----------------------------------------------------------

    def send_transaction(self, tx: bytes | Transaction | VersionedTransaction, *, skip_preflight: bool = False,
                         preflight_commitment: str | None = None, max_retries: int | None = None) -> Signature:
        """Send signed bytes. A retry that finds the transaction already processed counts as sent."""
        wire = _wire(tx)
        signature = VersionedTransaction.from_bytes(wire).signatures[0]
        cfg: dict[str, Any] = {"encoding": "base64", "skipPreflight": skip_preflight,
                               "preflightCommitment": preflight_commitment or self.commitment}
        if max_retries is not None:
            cfg["maxRetries"] = max_retries
        try:
            return Signature.from_string(self.call("sendTransaction", [base64.b64encode(wire).decode(), cfg]))
        except SolanaRpcError as error:
            # An earlier attempt whose reply was lost may have landed it: that is success.
            if error.code == -32002 and error.transaction_error == "AlreadyProcessed":
                return signature
            raise

    def simulate_transaction(self, tx: bytes | Transaction | VersionedTransaction, *, sig_verify: bool = False,
                             replace_recent_blockhash: bool = False,
                             commitment: str | None = None) -> dict[str, Any]:
        cfg = self._cfg(commitment, encoding="base64", sigVerify=sig_verify,
                        replaceRecentBlockhash=replace_recent_blockhash)
        return self.call("simulateTransaction", [base64.b64encode(_wire(tx)).decode(), cfg])["value"]

    def get_signature_statuses(self, signatures: Sequence[SignatureLike],
                               search_history: bool = False) -> list[SignatureStatus | None]:
        statuses: list[SignatureStatus | None] = []
        for start in range(0, len(signatures), 256):
            chunk = [str(sig) for sig in signatures[start : start + 256]]
            value = self.call("getSignatureStatuses", [chunk, {"searchTransactionHistory": search_history}])["value"]
            statuses.extend(
                None if item is None else SignatureStatus(int(item["slot"]), item.get("confirmations"),
                                                          item.get("err"), item.get("confirmationStatus"))
                for item in value
            )
        return statuses

    def get_transaction(self, signature: SignatureLike, *, encoding: str = "json",
                        commitment: str | None = None) -> dict[str, Any] | None:
        """The raw `getTransaction` result (what webapp.chain.classify takes), or None."""
        commitment = commitment or self.commitment
        if commitment == "processed":
            commitment = "confirmed"  # the RPC serves transactions from confirmed on
        cfg = self._cfg(commitment, encoding=encoding, maxSupportedTransactionVersion=0)
        return self.call("getTransaction", [str(signature), cfg])

    def get_signatures_for_address(self, address: AddressLike, *, before: SignatureLike | None = None,
                                   until: SignatureLike | None = None, limit: int = 1000,
                                   commitment: str | None = None) -> list[SignatureInfo]:
        commitment = commitment or self.commitment
        if commitment == "processed":
            commitment = "confirmed"
        cfg = self._cfg(commitment, limit=limit, before=str(before) if before else None,
                        until=str(until) if until else None)
        return [SignatureInfo(item["signature"], int(item["slot"]), item.get("err"), item.get("memo"),
                              item.get("blockTime"), item.get("confirmationStatus"))
                for item in self.call("getSignaturesForAddress", [str(address), cfg])]

    def confirm(self, signature: SignatureLike, commitment: str = "confirmed", timeout: float = 30.0,
                poll_interval: float = 0.25, last_valid_block_height: int | None = None) -> SignatureStatus:
        """Wait until `signature` reaches `commitment`.

        Raises TransactionFailed if it landed with an error, BlockhashExpired if
        its blockhash expired unseen (it can never land), ConfirmationTimeout otherwise.
        """
        deadline = time.monotonic() + timeout
        while True:
            status = self.get_signature_statuses([signature])[0]
            if status is not None and status.err is not None:
                raise TransactionFailed(str(signature), status.err)
            if status is not None and status.reached(commitment):
                return status
            if (status is None and last_valid_block_height is not None
                    and self.get_block_height("confirmed") > last_valid_block_height):
                raise BlockhashExpired(str(signature))
            if time.monotonic() >= deadline:
                raise ConfirmationTimeout(str(signature), commitment, timeout)
            time.sleep(poll_interval)

    def send_and_confirm(self, tx: bytes | Transaction | VersionedTransaction, commitment: str = "confirmed",
                         timeout: float = 30.0) -> Signature:
        signature = self.send_transaction(tx)
        self.confirm(signature, commitment, timeout)
        return signature
