"""The listener's status in Redis (a heartbeat with a TTL) and the /admin/chain overview."""
from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

from redis import Redis
from sqlalchemy import func, select

from webapp.extensions import db
from webapp.models import ChainCheckpoint, IndexedTransaction, IndexFailure, ReconciliationRun, Token
from webapp.services.indexer import dead_letters, queueing, reconcile

STATUS_KEY = "momentum:chain:listener"


def write_status(redis: Redis, status: dict[str, Any], ttl_seconds: float) -> None:
    redis.set(STATUS_KEY, json.dumps({**status, "updated_at": time.time()}), ex=max(1, int(ttl_seconds)))


def read_status(redis: Redis | None) -> dict[str, Any] | None:
    if redis is None:
        return None
    raw = redis.get(STATUS_KEY)
    return json.loads(raw) if raw else None


@dataclass(frozen=True)
class CheckpointView:
    checkpoint: ChainCheckpoint
    label: str

    @property
    def backfilling(self) -> bool:
        return self.checkpoint.backfill_done < self.checkpoint.backfill_total


@dataclass(frozen=True)
class ChainOverview:
    listener: dict[str, Any] | None
    chain_slot: int | None
    indexed_slot: int | None
    transactions: int
    unfinalized: int
    queue: queueing.QueueDepth | None
    checkpoints: list[CheckpointView]
    dead_letters: list[IndexFailure]
    dead_letter_count: int
    reconciliations: list[ReconciliationRun]
    mismatches: list[Any]
    tokens: list[Token]

    @property
    def slot_lag(self) -> int | None:
        synced = (self.listener or {}).get("synced_slot")
        if self.chain_slot is None or synced is None:
            return None
        return max(0, self.chain_slot - int(synced))

    @property
    def backfill_total(self) -> int:
        return sum(view.checkpoint.backfill_total for view in self.checkpoints if view.backfilling)

    @property
    def backfill_done(self) -> int:
        return sum(view.checkpoint.backfill_done for view in self.checkpoints if view.backfilling)


def overview(redis: Redis | None) -> ChainOverview:
    listener = read_status(redis)
    tokens = list(db.session.scalars(select(Token).order_by(Token.id)))
    labels = {token.mint: token.label for token in tokens}
    checkpoints = [CheckpointView(point, labels.get(point.address, "platform wallet" if point.kind == "wallet" else ""))
                   for point in db.session.scalars(select(ChainCheckpoint).order_by(ChainCheckpoint.kind,
                                                                                    ChainCheckpoint.address))]
    runs = reconcile.latest_runs()
    counts = db.session.execute(select(func.count(), func.max(IndexedTransaction.slot),
                                       func.count().filter(IndexedTransaction.commitment == "confirmed"))
                                .select_from(IndexedTransaction)).one()
    return ChainOverview(
        listener=listener,
        chain_slot=(listener or {}).get("chain_slot"),
        indexed_slot=counts[1],
        transactions=int(counts[0]),
        unfinalized=int(counts[2]),
        queue=queueing.depth(redis) if redis is not None else None,
        checkpoints=checkpoints,
        dead_letters=dead_letters.recent(),
        dead_letter_count=dead_letters.count(),
        reconciliations=runs,
        mismatches=reconcile.mismatches([run.id for run in runs]),
        tokens=tokens,
    )
