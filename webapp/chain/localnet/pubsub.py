"""PubSub subscriptions (logs, signature, account, program, slot), delivered per commitment.

A transaction is announced to `processed` subscribers when it executes, and
to `confirmed` / `finalized` subscribers when its slot reaches that level on
the slot clock, like a validator's notifications.
"""
from __future__ import annotations

import asyncio
import itertools
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar

from solders.account import Account
from solders.pubkey import Pubkey

from webapp.chain.localnet import rpc_params as p
from webapp.chain.localnet.clock import CONFIRMED, FINALIZED, PROCESSED
from webapp.chain.localnet.codec import dumps
from webapp.chain.localnet.errors import RpcError, invalid_params
from webapp.chain.localnet.methods_accounts import account_filter
from webapp.chain.localnet.node import LocalChain
from webapp.chain.localnet.store import TxEntry
from webapp.chain.localnet.token_layout import parsed_account_data

log = logging.getLogger(__name__)
_EMPTY_ACCOUNT = Account(0, b"", Pubkey.default(), False, 0)
MAX_QUEUED_MESSAGES = 50_000


class Connection:
    """One WebSocket client; messages queue here and a writer task sends them in order."""

    def __init__(self) -> None:
        self.queue: asyncio.Queue[bytes | None] = asyncio.Queue()
        self.subscriptions: set[int] = set()
        self.overflowed = False

    def send(self, message: dict[str, Any] | list[dict[str, Any]]) -> None:  # a list: a batch's replies
        if self.queue.qsize() >= MAX_QUEUED_MESSAGES:
            # A reader this slow would hold unbounded memory: cut it off instead.
            self.overflowed = True
            self.queue.put_nowait(None)
            return
        self.queue.put_nowait(dumps(message))


@dataclass
class Subscription:
    id: int
    kind: str
    commitment: str
    connection: Connection
    target: str | None = None
    config: dict[str, Any] = field(default_factory=dict)
    filter: Callable[[Account], bool] | None = None


@dataclass
class _Landed:
    entry: TxEntry
    logs: list[str]
    keys: set[str]
    changed: list[Pubkey]


class PubSub:
    def __init__(self, chain: LocalChain) -> None:
        self.chain = chain
        self.subscriptions: dict[int, Subscription] = {}
        self._ids = itertools.count(1)
        self._pending: dict[int, list[_Landed]] = {}
        self._delivered = {CONFIRMED: chain.clock.commitment_slot(CONFIRMED),
                           FINALIZED: chain.clock.commitment_slot(FINALIZED)}
        chain.ledger.listeners.append(self.on_transaction)

    # --- requests ------------------------------------------------------------

    def handle(self, connection: Connection, request: dict[str, Any]) -> Any:
        method, params = request.get("method"), request.get("params") or []
        if not isinstance(params, list):
            raise invalid_params("Invalid params: expected an array.")
        if isinstance(method, str) and method.endswith("Unsubscribe"):
            return self.unsubscribe(connection, p.param(params, 0, "id"))
        subscribe = self._SUBSCRIBERS.get(method) if isinstance(method, str) else None
        if subscribe is None:
            raise RpcError(-32601, "Method not found")
        return subscribe(self, connection, params)

    def _add(self, sub: Subscription) -> int:
        self.subscriptions[sub.id] = sub
        sub.connection.subscriptions.add(sub.id)
        return sub.id

    def _logs(self, connection: Connection, params: list[Any]) -> int:
        spec = p.param(params, 0, "filter")
        cfg = p.config(params, 1)
        target = None
        if isinstance(spec, dict) and isinstance(spec.get("mentions"), list):
            if len(spec["mentions"]) != 1:
                raise invalid_params("Invalid Request: Only 1 address supported")
            target = str(p.pubkey(spec["mentions"][0]))
        elif spec not in ("all", "allWithVotes"):
            raise invalid_params("Invalid params: unknown logs filter.")
        return self._add(Subscription(next(self._ids), "logs", p.commitment(cfg), connection, target))

    def _signature(self, connection: Connection, params: list[Any]) -> int:
        signature = p.signature(p.param(params, 0, "signature"))
        cfg = p.config(params, 1)
        sub = Subscription(next(self._ids), "signature", p.commitment(cfg), connection, signature, cfg)
        self._add(sub)
        entry = self.chain.store.get(signature)
        if entry is not None and self.chain.clock.reached(entry.slot, sub.commitment):
            # Already there: answer the subscription first, then notify and end it.
            asyncio.get_running_loop().call_soon(self._notify_signature, sub, entry)
        return sub.id

    def _account(self, connection: Connection, params: list[Any]) -> int:
        key = str(p.pubkey(p.param(params, 0, "pubkey")))
        cfg = p.config(params, 1)
        p.account_encoding(cfg)
        return self._add(Subscription(next(self._ids), "account", p.commitment(cfg), connection, key, cfg))

    def _program(self, connection: Connection, params: list[Any]) -> int:
        program = str(p.pubkey(p.param(params, 0, "program_id")))
        cfg = p.config(params, 1)
        p.account_encoding(cfg)
        sub = Subscription(next(self._ids), "program", p.commitment(cfg), connection, program, cfg,
                           account_filter(cfg.get("filters")))
        return self._add(sub)

    def _slot(self, connection: Connection, params: list[Any]) -> int:
        return self._add(Subscription(next(self._ids), "slot", PROCESSED, connection))

    _SUBSCRIBERS: ClassVar[dict[str, Callable[[PubSub, Connection, list[Any]], int]]] = {
        "logsSubscribe": _logs, "signatureSubscribe": _signature, "accountSubscribe": _account,
        "programSubscribe": _program, "slotSubscribe": _slot,
    }

    def unsubscribe(self, connection: Connection, sub_id: Any) -> bool:
        sub = self.subscriptions.get(sub_id) if isinstance(sub_id, int) else None
        if sub is None or sub.connection is not connection:
            raise invalid_params("Invalid subscription id.")
        self._remove(sub)
        return True

    def _remove(self, sub: Subscription) -> None:
        self.subscriptions.pop(sub.id, None)
        sub.connection.subscriptions.discard(sub.id)

    def drop(self, connection: Connection) -> None:
        for sub_id in list(connection.subscriptions):
            sub = self.subscriptions.get(sub_id)
            if sub is not None:
                self._remove(sub)

    # --- notifications -------------------------------------------------------

    @staticmethod
    def _push(sub: Subscription, method: str, result: Any) -> None:
        sub.connection.send({"jsonrpc": "2.0", "method": method, "params": {"result": result, "subscription": sub.id}})

    def on_transaction(self, entry: TxEntry, record: dict[str, Any], keys: list[str], changed: list[Pubkey]) -> None:
        if not self.subscriptions:
            return
        landed = _Landed(entry, record["meta"]["logMessages"], set(keys), changed)
        self._pending.setdefault(entry.slot, []).append(landed)
        for sub in list(self.subscriptions.values()):
            wants_received = sub.config.get("enableReceivedNotification")
            if sub.kind == "signature" and sub.target == entry.signature and wants_received:
                self._push(sub, "signatureNotification", p.with_context(entry.slot, "receivedSignature"))
        self._deliver([landed], PROCESSED)

    def on_slot(self, slot: int) -> None:
        clock = self.chain.clock
        for sub in [s for s in self.subscriptions.values() if s.kind == "slot"]:
            self._push(sub, "slotNotification",
                       {"parent": slot - 1, "root": clock.commitment_slot(FINALIZED), "slot": slot})
        for level in (CONFIRMED, FINALIZED):
            reached = clock.commitment_slot(level)
            for landed_slot in range(self._delivered[level] + 1, reached + 1):
                self._deliver(self._pending.get(landed_slot, []), level)
            self._delivered[level] = max(self._delivered[level], reached)
        for old in [s for s in self._pending if s <= self._delivered[FINALIZED]]:
            del self._pending[old]

    def _deliver(self, landed: list[_Landed], level: str) -> None:
        if not landed:
            return
        subs = [s for s in self.subscriptions.values() if s.commitment == level]
        if not subs:
            return
        changed: dict[Pubkey, int] = {}
        for item in landed:
            for key in item.changed:
                changed[key] = item.entry.slot
            for sub in subs:
                self._deliver_transaction(sub, item)
        for key, slot in changed.items():
            for sub in subs:
                self._deliver_account(sub, key, slot, level)

    def _deliver_transaction(self, sub: Subscription, item: _Landed) -> None:
        entry = item.entry
        if sub.kind == "logs" and (sub.target is None or sub.target in item.keys):
            value = {"err": entry.err, "logs": item.logs, "signature": entry.signature}
            self._push(sub, "logsNotification", p.with_context(entry.slot, value))
        elif sub.kind == "signature" and sub.target == entry.signature and sub.id in self.subscriptions:
            self._notify_signature(sub, entry)

    def _notify_signature(self, sub: Subscription, entry: TxEntry) -> None:
        if sub.id not in self.subscriptions:
            return
        self._push(sub, "signatureNotification", p.with_context(entry.slot, {"err": entry.err}))
        self._remove(sub)  # signature subscriptions end after their one notification

    def _deliver_account(self, sub: Subscription, key: Pubkey, slot: int, level: str) -> None:
        if sub.kind not in ("account", "program"):
            return
        cutoff = slot if level != PROCESSED else None
        if sub.kind == "account" and sub.target != str(key):
            return
        account = self.chain.ledger.account(key, cutoff)
        matches = account is not None and str(account.owner) == sub.target and (not sub.filter or sub.filter(account))
        if sub.kind == "program" and not matches:
            return
        ui = self._ui_account(account or _EMPTY_ACCOUNT, sub.config)
        if sub.kind == "account":
            self._push(sub, "accountNotification", p.with_context(slot, ui))
        else:
            self._push(sub, "programNotification", p.with_context(slot, {"pubkey": str(key), "account": ui}))

    def _ui_account(self, account: Account, cfg: dict[str, Any]) -> dict[str, Any]:
        encoding = p.account_encoding(cfg)
        parsed = parsed_account_data(account, self.chain.ledger.decimals_of) if encoding == "jsonParsed" else None
        return p.account_json(account, encoding, cfg, parsed)
