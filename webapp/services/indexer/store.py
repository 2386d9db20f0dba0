"""index_batch: classify and store transactions with everything they drive, in one database transaction.

The same path serves the listener's jobs, backfills and the benchmark. A
transaction already in the index (same signature) is skipped, so indexing is
idempotent however often a signature is seen. A batch that fails is retried
one transaction at a time so a single bad transaction lands in the
dead-letter table instead of holding up the rest.
"""
from __future__ import annotations

import gc
import logging
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError, OperationalError

from webapp.chain.classify import PlatformWallets
from webapp.extensions import db
from webapp.models import STAKE_WALLET_PREFIX, PlatformWallet, Token
from webapp.services.indexer import bulk, dead_letters, holders, live_feed, market
from webapp.services.indexer.transactions import PreparedTransaction, prepare

log = logging.getLogger("momentum.indexer")
DEADLOCK_RETRIES = 3


@dataclass
class BatchResult:
    indexed: list[str] = field(default_factory=list)   # stored now
    already: list[str] = field(default_factory=list)   # were in the index before
    failed: dict[str, str] = field(default_factory=dict)  # signature -> error, dead-lettered

    def merge(self, other: BatchResult) -> None:
        self.indexed += other.indexed
        self.already += other.already
        self.failed.update(other.failed)


def tracked_mints() -> set[str]:
    return set(db.session.scalars(select(Token.mint)))


def classifier_wallets() -> PlatformWallets:
    """The platform's wallets as the classifier's second step knows them.

    Stake escrows are kept out of the payout wallets: the classifier checks
    payout wallets first, and an escrow paying a member back is an unstake.
    """
    rows = db.session.execute(select(PlatformWallet.address, PlatformWallet.name)).all()
    escrows = frozenset(address for address, name in rows if name.startswith(STAKE_WALLET_PREFIX))
    return PlatformWallets(payout_wallets=frozenset(address for address, _ in rows) - escrows, stake_escrows=escrows)


def index_batch(
    raw_transactions: Sequence[Mapping[str, Any]], *, platform: PlatformWallets | None = None,
    finalized_slot: int | None = None, address: str | None = None, counted: int | None = None,
) -> BatchResult:
    """Index getTransaction results (jsonParsed or json); commits.

    With `address`, `counted` signatures (default: all given) count towards that address's backfill progress.
    """
    tracked = tracked_mints()
    platform = platform or classifier_wallets()
    result = BatchResult()
    prepared: dict[str, PreparedTransaction] = {}
    with cyclic_gc_paused():
        for raw in raw_transactions:
            try:
                tx = prepare(raw, tracked, platform)
            except Exception as error:  # noqa: BLE001 - a transaction we cannot read is dead-lettered, not fatal
                result.failed[_signature_of(raw)] = f"unreadable transaction: {type(error).__name__}: {error}"
                continue
            prepared.setdefault(tx.signature, tx)
        transactions = sorted(prepared.values(), key=lambda tx: tx.signature)
        try:
            result.merge(_store_with_retry(transactions, finalized_slot, address,
                                           len(raw_transactions) if counted is None else counted))
        except DBAPIError as error:
            db.session.rollback()
            if len(transactions) <= 1:
                result.failed.update({tx.signature: f"database error: {error.orig or error}" for tx in transactions})
            else:
                log.warning("batch of %d failed (%s); indexing one by one", len(transactions), error.orig or error)
                for tx in transactions:
                    result.merge(_store_one(tx, finalized_slot))
    if result.failed:
        dead_letters.record(result.failed, address)
    dead_letters.resolve(result.indexed + result.already)
    db.session.commit()
    live_feed.publish_indexed(transactions, result.indexed)
    return result


@contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    """Pause Python's cycle collector while a batch is classified and stored.

    A batch allocates hundreds of thousands of small tuples, rows and events and
    makes no reference cycles, yet every few hundred allocations the collector
    would scan the worker's live objects again. Reference counting still frees
    everything, and the collector resumes afterwards.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _signature_of(raw: Mapping[str, Any]) -> str:
    try:
        return str(raw["transaction"]["signatures"][0])[:88]
    except (KeyError, IndexError, TypeError):
        return "unknown"


def _store_with_retry(transactions: list[PreparedTransaction], finalized_slot: int | None, address: str | None,
                      seen: int) -> BatchResult:
    for attempt in range(DEADLOCK_RETRIES):
        try:
            stored = store(transactions, finalized_slot)
            if address:
                count_progress(address, seen)
            db.session.commit()
            return stored
        except OperationalError as error:
            db.session.rollback()
            if getattr(error.orig, "sqlstate", None) not in ("40P01", "40001") or attempt == DEADLOCK_RETRIES - 1:
                raise
    raise AssertionError("unreachable")


def _store_one(tx: PreparedTransaction, finalized_slot: int | None) -> BatchResult:
    try:
        stored = store([tx], finalized_slot)
        db.session.commit()
        return stored
    except DBAPIError as error:
        db.session.rollback()
        return BatchResult(failed={tx.signature: f"database error: {error.orig or error}"})


def store(transactions: list[PreparedTransaction], finalized_slot: int | None = None) -> BatchResult:
    """Write rows for the transactions not yet indexed and update derived data (caller commits)."""
    if not transactions:
        return BatchResult()
    now = datetime.now(UTC)
    stage = bulk.staged("chain_transactions", TRANSACTION_COLUMNS,
                        (_transaction_row(tx, finalized_slot, now) for tx in transactions))
    columns = ", ".join(TRANSACTION_COLUMNS)
    inserted = db.session.execute(text(
        f"INSERT INTO chain_transactions ({columns}) SELECT {columns} FROM {stage} ORDER BY signature "
        "ON CONFLICT (signature) DO NOTHING RETURNING id, signature"))
    ids = {signature: id_ for id_, signature in inserted}
    new = [tx for tx in transactions if tx.signature in ids]
    if new:
        _store_events(new, ids)
        holders.apply_balances(holders.balance_writes(new))
        trades = market.trade_rows(new, ids)
        market.apply_trades(trades)
        market.apply_supply(new)
        market.refresh_market_caps({str(t["mint"]) for t in trades} | {m for tx in new for m in tx.supply_changes()})
        market.apply_activity(new)
    return BatchResult(indexed=[tx.signature for tx in new],
                       already=[tx.signature for tx in transactions if tx.signature not in ids])


TRANSACTION_COLUMNS = ("signature", "slot", "block_time", "fee_payer", "fee", "failed", "error", "commitment",
                       "mints", "token_accounts", "indexed_at")
EVENT_COLUMNS = ("transaction_id", "position", "signature", "slot", "block_time", "label", "wallet", "mint",
                 "token_amount", "sol_amount", "other_mint", "other_amount", "counterparty", "program", "reason")


def _transaction_row(tx: PreparedTransaction, finalized_slot: int | None, now: datetime) -> tuple[object, ...]:
    final = finalized_slot is not None and tx.slot <= finalized_slot
    return (tx.signature, tx.slot, tx.block_time, tx.fee_payer, tx.fee, tx.failed, tx.error,
            "finalized" if final else "confirmed", sorted(tx.tracked_mints),
            [change.account for change in tx.balances], now)


def _store_events(transactions: Iterable[PreparedTransaction], ids: Mapping[str, int]) -> None:
    bulk.copy_rows("chain_events", EVENT_COLUMNS, (
        (ids[tx.signature], position, tx.signature, tx.slot, tx.block_time, event.label, event.wallet, event.mint,
         event.token_amount, event.sol_amount, event.other_mint, event.other_amount, event.counterparty,
         event.program, event.reason)
        for tx in transactions for position, event in enumerate(tx.events)
    ))


def count_progress(address: str, count: int) -> None:
    db.session.execute(
        text("UPDATE chain_checkpoints SET backfill_done = LEAST(backfill_total, backfill_done + :n) "
             "WHERE address = :address"),
        {"n": count, "address": address},
    )
