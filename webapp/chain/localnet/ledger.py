"""The one owner of LiteSVM: executes transactions and records what a validator would.

For each transaction it snapshots the accounts before and after, so the
record carries pre/post lamport and token balances; it journals the record
before answering; and it keeps pre-images for commitment-level reads.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from solders.account import Account
from solders.hash import Hash
from solders.keypair import Keypair
from solders.litesvm import LiteSVM
from solders.message import Message, MessageV0
from solders.pubkey import Pubkey
from solders.system_program import TransferParams, transfer
from solders.transaction import VersionedTransaction
from solders.transaction_metadata import FailedTransactionMetadata, TransactionMetadata

from webapp.chain.localnet.accounts import AccountHistory, TokenIndex
from webapp.chain.localnet.clock import SlotClock, sysvar_clock
from webapp.chain.localnet.codec import b58encode, b64decode, b64encode, ui_token_amount
from webapp.chain.localnet.errors import transaction_error_json
from webapp.chain.localnet.store import TransactionStore, TxEntry
from webapp.chain.localnet.token_layout import TOKEN_PROGRAMS, decode_mint, decode_token_account
from webapp.chain.localnet.tx_render import all_account_keys, legacy_or_v0, memo_of

log = logging.getLogger(__name__)

SYSTEM_PROGRAM = Pubkey.from_string("11111111111111111111111111111111")
LOOKUP_TABLE_PROGRAM = Pubkey.from_string("AddressLookupTab1e1111111111111111111111111")
LOOKUP_TABLE_META_SIZE = 56
FAUCET_LAMPORTS = 500_000_000 * 1_000_000_000  # 500M SOL, like a test validator's faucet


@dataclass(frozen=True)
class Rejection:
    """A transaction the chain did not take: nothing changed, no fee was charged."""

    err: Any
    simulation: dict[str, Any]

    @property
    def signature_failure(self) -> bool:
        return self.err == "SignatureFailure"


@dataclass
class _Execution:
    """One run against LiteSVM: the accounts before and after, and LiteSVM's metadata."""

    tx: VersionedTransaction
    loaded: dict[str, list[str]]
    keys: list[str]
    pubkeys: list[Pubkey]
    pre: list[Account | None]
    post: list[Account | None] = field(default_factory=list)
    meta: Any = None
    err: Any = None

    def changes(self) -> list[tuple[Pubkey, Account | None, Account | None]]:
        return [(key, before, after) for key, before, after in zip(self.pubkeys, self.pre, self.post, strict=True)
                if before != after]


class _LookupFailure(Exception):
    def __init__(self, err: str) -> None:
        super().__init__(err)
        self.err = err


def simulation_json(err: Any, meta: TransactionMetadata | None) -> dict[str, Any]:
    """`RpcSimulateTransactionResult` as simulateTransaction and -32002 `data` carry it."""
    return {
        "accounts": None,
        "err": err,
        "innerInstructions": None,
        "loadedAccountsDataSize": 0,
        "logs": list(meta.logs()) if meta is not None else [],
        "replacementBlockhash": None,
        "returnData": return_data_json(meta),
        "unitsConsumed": meta.compute_units_consumed() if meta is not None else 0,
    }


def return_data_json(meta: TransactionMetadata | None) -> dict[str, Any] | None:
    if meta is None:
        return None
    data = meta.return_data()
    if not bytes(data.data):
        return None
    return {"programId": str(data.program_id), "data": [b64encode(bytes(data.data)), "base64"]}


def inner_instructions_json(groups: list[list[Any]]) -> list[dict[str, Any]]:
    rendered = []
    for index, group in enumerate(groups):
        if not group:
            continue
        instructions = []
        for inner in group:
            ix = inner.instruction()
            instructions.append({"accounts": list(bytes(ix.accounts)), "data": b58encode(bytes(ix.data)),
                                 "programIdIndex": ix.program_id_index, "stackHeight": inner.stack_height()})
        rendered.append({"index": index, "instructions": instructions})
    return rendered


Listener = Callable[[TxEntry, dict[str, Any], list[str], list[Pubkey]], None]


class Ledger:
    def __init__(self, faucet: Keypair, clock: SlotClock, store: TransactionStore) -> None:
        self.faucet = faucet
        self.clock = clock
        self.store = store
        self.history = AccountHistory()
        self.tokens = TokenIndex()
        self.known: set[Pubkey] = {faucet.pubkey()}
        self.listeners: list[Listener] = []
        # LiteSVM's own checks are replaced by ours: blockhashes stay valid ~150 slots
        # (not one), signatures are verified once before execution, and the store dedups.
        self.svm = LiteSVM().with_blockhash_check(False).with_sigverify(False).with_transaction_history(0)
        self.svm.set_account(faucet.pubkey(), Account(FAUCET_LAMPORTS, b"", SYSTEM_PROGRAM, False, 0))
        self.set_clock(clock.slot, clock.block_time())

    def set_clock(self, slot: int, unix_timestamp: int) -> None:
        self.svm.set_clock(sysvar_clock(slot, unix_timestamp))

    # --- reads -------------------------------------------------------------

    def account(self, key: Pubkey, cutoff_slot: int | None = None) -> Account | None:
        current = self.svm.get_account(key)
        if current is not None and current.lamports == 0:
            current = None
        if cutoff_slot is None or cutoff_slot >= self.clock.slot:
            return current
        return self.history.as_of(key, cutoff_slot, current)

    def decimals_of(self, mint: str) -> int | None:
        decimals = self.tokens.decimals(mint)
        if decimals is None:
            state = decode_mint(self.svm.get_account(Pubkey.from_string(mint)))
            if state is None:
                return None
            decimals = state.decimals
            self.tokens.remember_decimals(mint, decimals)
        return decimals

    def _token_balances(self, accounts: list[Account | None], keys: list[str]) -> list[dict[str, Any]]:
        balances = []
        for index, account in enumerate(accounts):
            if account is None or account.owner not in TOKEN_PROGRAMS:
                continue
            state = decode_token_account(account)
            decimals = self.decimals_of(state.mint) if state is not None else None
            if state is None or decimals is None:
                continue
            balances.append({"accountIndex": index, "mint": state.mint, "owner": state.owner,
                             "programId": str(account.owner),
                             "uiTokenAmount": ui_token_amount(state.amount, decimals, null_when_zero=True)})
        return balances

    def loaded_addresses(self, message: Message | MessageV0) -> dict[str, list[str]]:
        loaded: dict[str, list[str]] = {"writable": [], "readonly": []}
        if not isinstance(message, MessageV0):
            return loaded
        for lookup in message.address_table_lookups:
            table = self.svm.get_account(lookup.account_key)
            if table is None:
                raise _LookupFailure("AddressLookupTableNotFound")
            if table.owner != LOOKUP_TABLE_PROGRAM:
                raise _LookupFailure("InvalidAddressLookupTableOwner")
            data = bytes(table.data)[LOOKUP_TABLE_META_SIZE:]
            addresses = [str(Pubkey(data[i : i + 32])) for i in range(0, len(data) - 31, 32)]
            for group, indexes in (("writable", lookup.writable_indexes), ("readonly", lookup.readonly_indexes)):
                for index in bytes(indexes):
                    if index >= len(addresses):
                        raise _LookupFailure("InvalidAddressLookupTableIndex")
                    loaded[group].append(addresses[index])
        return loaded

    # --- writes ------------------------------------------------------------

    def execute(self, tx: VersionedTransaction, raw: bytes, *, preflight: bool) -> TxEntry | Rejection:
        """Run a signed transaction. With `preflight`, a failing one is undone and rejected,
        as an RPC node's simulation would refuse it; without, it lands with its error and fee."""
        signature = str(tx.signatures[0])
        if signature in self.store.by_signature:
            return Rejection("AlreadyProcessed", simulation_json("AlreadyProcessed", None))
        if not all(tx.verify_with_results()):
            return Rejection("SignatureFailure", simulation_json("SignatureFailure", None))
        message = legacy_or_v0(tx)
        if self.clock.blockhash_slot(str(message.recent_blockhash)) is None:
            return Rejection("BlockhashNotFound", simulation_json("BlockhashNotFound", None))
        try:
            loaded = self.loaded_addresses(message)
        except _LookupFailure as failure:
            return Rejection(failure.err, simulation_json(failure.err, None))
        keys = all_account_keys(message, loaded)
        pubkeys = list(message.account_keys) + [Pubkey.from_string(k) for k in keys[len(message.account_keys):]]
        run = _Execution(tx, loaded, keys, pubkeys, [self.account(key) for key in pubkeys])
        result = self.svm.send_transaction(tx)
        run.post = [self.account(key) for key in pubkeys]
        run.meta = result
        if isinstance(result, FailedTransactionMetadata):
            run.meta = result.meta()
            run.err = transaction_error_json(result.err())
            charged = run.pre[0] != run.post[0]
            if preflight or not charged:
                self._undo(run)
                return Rejection(run.err, simulation_json(run.err, run.meta))
        return self._commit(run, raw)

    def _undo(self, run: _Execution) -> None:
        for key, before, _ in run.changes():
            self.svm.set_account(key, before or Account(0, b"", SYSTEM_PROGRAM, False, 0))

    def _status_meta(self, run: _Execution) -> dict[str, Any]:
        """The transaction's status meta, in the RPC's `json` encoding."""
        meta = run.meta
        status_meta: dict[str, Any] = {
            "err": run.err,
            "status": {"Ok": None} if run.err is None else {"Err": run.err},
            "fee": meta.fee(),
            "preBalances": [account.lamports if account else 0 for account in run.pre],
            "postBalances": [account.lamports if account else 0 for account in run.post],
            "innerInstructions": inner_instructions_json(meta.inner_instructions()),
            "logMessages": list(meta.logs()),
            "preTokenBalances": self._token_balances(run.pre, run.keys),
            "postTokenBalances": self._token_balances(run.post, run.keys),
            "rewards": [],
            "loadedAddresses": run.loaded,
            "computeUnitsConsumed": meta.compute_units_consumed(),
        }
        return_data = return_data_json(meta)
        if return_data is not None:
            status_meta["returnData"] = return_data
        return status_meta

    def _commit(self, run: _Execution, raw: bytes) -> TxEntry:
        """Journal the record (before anyone hears of it), then index it."""
        slot, block_time = self.clock.slot, self.clock.block_time()
        seq = self.store.next_seq
        record = {"k": "tx", "seq": seq, "slot": slot, "bt": block_time, "tx": b64encode(raw),
                  "meta": self._status_meta(run)}
        offset, length = self.store.journal.append(record)
        entry = TxEntry(seq, str(run.tx.signatures[0]), slot, block_time, run.err,
                        memo_of(legacy_or_v0(run.tx), run.keys), offset, length)
        changes = run.changes()
        for key, before, after in changes:
            self.history.record(slot, key, before)
            self.tokens.update(key, after)
        changed = [key for key, _, _ in changes]
        self.known.update(changed)
        self.store.add(entry, run.keys)
        for listener in self.listeners:
            listener(entry, record, run.keys, changed)
        return entry

    def airdrop(self, recipient: Pubkey, lamports: int) -> TxEntry | Rejection:
        """A faucet transfer, sent like any transaction so it is journaled and queryable."""
        ix = transfer(TransferParams(from_pubkey=self.faucet.pubkey(), to_pubkey=recipient, lamports=lamports))
        # The same request twice in one slot would repeat a signature; an older,
        # still valid blockhash makes it a different transaction.
        for age in range(0, 150):
            blockhash: Hash = self.clock.blockhash_at(max(self.clock.slot - age, 0))
            tx = VersionedTransaction(Message.new_with_blockhash([ix], self.faucet.pubkey(), blockhash), [self.faucet])
            if str(tx.signatures[0]) not in self.store.by_signature:
                return self.execute(tx, bytes(tx), preflight=True)
        return Rejection("AlreadyProcessed", simulation_json("AlreadyProcessed", None))

    # --- restore -------------------------------------------------------------

    def replay(self, record: dict[str, Any], offset: int, length: int, *, execute: bool) -> None:
        """Re-index a journaled record and, past the snapshot, re-run it against LiteSVM."""
        raw = b64decode(record["tx"])
        tx = VersionedTransaction.from_bytes(raw)
        message = legacy_or_v0(tx)
        meta = record["meta"]
        keys = all_account_keys(message, meta.get("loadedAddresses"))
        if execute:
            self.set_clock(record["slot"], record["bt"])
            pubkeys = [Pubkey.from_string(key) for key in keys]
            pre = [self.account(key) for key in pubkeys]
            result = self.svm.send_transaction(tx)
            failed = isinstance(result, FailedTransactionMetadata)
            if failed != (meta["err"] is not None):
                log.warning("replay of %s diverged: journal err %s, now %s", tx.signatures[0], meta["err"],
                            transaction_error_json(result.err())
                            if isinstance(result, FailedTransactionMetadata) else None)
            self.known.update(key for key, before in zip(pubkeys, pre, strict=True) if self.account(key) != before)
        entry = TxEntry(record["seq"], str(tx.signatures[0]), record["slot"], record["bt"], meta["err"],
                        memo_of(message, keys), offset, length)
        self.store.add(entry, keys)

    def load_accounts(self, accounts: list[tuple[Pubkey, Account]]) -> None:
        for key, account in accounts:
            self.svm.set_account(key, account)
            self.known.add(key)

    def rebuild_token_index(self) -> None:
        for program in TOKEN_PROGRAMS:
            self.tokens.update_many(self.svm.get_program_accounts(program))

    def snapshot_accounts(self) -> list[tuple[bytes, bytes]]:
        accounts = []
        for key in self.known:
            account = self.svm.get_account(key)
            if account is not None and account.lamports > 0:
                accounts.append((bytes(key), bytes(account)))
        return accounts
