"""The dead-letter table: transactions that failed to index, kept with the error until retried."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

from sqlalchemy import func, select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert

from webapp.extensions import db
from webapp.models import IndexFailure, User
from webapp.services import audit


def record(failures: Mapping[str, str], address: str | None = None) -> None:
    """Add or update one row per failed signature (the caller commits)."""
    now = datetime.now(UTC)
    table = IndexFailure.__table__
    stmt = pg_insert(table)
    stmt = stmt.on_conflict_do_update(
        index_elements=["signature"],
        set_={"error": stmt.excluded.error, "attempts": table.c.attempts + 1, "last_failed_at": now},
    )
    rows = [{"signature": signature, "address": address, "error": error[:4000], "attempts": 1,
             "first_failed_at": now, "last_failed_at": now} for signature, error in sorted(failures.items())]
    db.session.execute(stmt, rows)


def resolve(signatures: Sequence[str]) -> None:
    """Indexed after all: drop their dead letters (the caller commits)."""
    if signatures:  # one array parameter, not a thousand: this runs after every indexed batch
        db.session.execute(text("DELETE FROM chain_dead_letters WHERE signature = ANY(:signatures)"),
                           {"signatures": list(signatures)})


def recent(limit: int = 50) -> list[IndexFailure]:
    return list(db.session.scalars(select(IndexFailure).order_by(IndexFailure.last_failed_at.desc()).limit(limit)))


def count() -> int:
    return int(db.session.scalar(select(func.count()).select_from(IndexFailure)) or 0)


def retry(ids: Sequence[int], actor: User | None, ip_address: str | None = None) -> list[str]:
    """Queue the chosen dead letters for indexing again; audited. Returns their signatures."""
    from webapp.services.indexer import queueing

    rows = list(db.session.scalars(select(IndexFailure).where(IndexFailure.id.in_(list(ids)))))
    if not rows:
        return []
    now = datetime.now(UTC)
    for row in rows:
        row.retried_at = now
    signatures = [row.signature for row in rows]
    audit.record(actor, "chain.dead_letters_retried", target_type="dead_letter",
                 target_id=",".join(str(row.id) for row in rows)[:64],
                 details={"signatures": signatures[:50]}, ip_address=ip_address)
    db.session.commit()
    queueing.enqueue_indexing(signatures)
    return signatures
