"""Indexing by signature: fetch each transaction over RPC, then index_batch (what the RQ job runs)."""
from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select

from webapp.chain.rpc import SolanaRpcClient
from webapp.extensions import db
from webapp.models import IndexedTransaction
from webapp.services.indexer import dead_letters, holders
from webapp.services.indexer.store import BatchResult, count_progress, index_batch

# A signature announced at `confirmed` may reach a lagging RPC node a moment later.
NOT_FOUND_PAUSES = (0.2, 0.5, 1.0)


def fetch_transaction(client: SolanaRpcClient, signature: str) -> dict[str, Any] | None:
    for pause in (*NOT_FOUND_PAUSES, None):
        tx = client.get_transaction(signature, encoding="jsonParsed", commitment="confirmed")
        if tx is not None or pause is None:
            return tx
        time.sleep(pause)
    return None


def known_signatures(signatures: Sequence[str]) -> set[str]:
    return set(db.session.scalars(select(IndexedTransaction.signature)
                                  .where(IndexedTransaction.signature.in_(list(signatures)))))


def index_signatures(signatures: Sequence[str], client: SolanaRpcClient, *, address: str | None = None) -> BatchResult:
    """Index the signatures not in the index yet; the missing ones go to the dead-letter table."""
    wanted = list(dict.fromkeys(signatures))
    known = known_signatures(wanted)
    todo = [signature for signature in wanted if signature not in known]
    if not todo:
        if address:
            count_progress(address, len(wanted))
        dead_letters.resolve(sorted(known))
        db.session.commit()
        return BatchResult(already=sorted(known))
    finalized_slot = client.get_slot("finalized")
    fetched, missing = [], []
    for signature in todo:
        tx = fetch_transaction(client, signature)
        if tx is None:
            missing.append(signature)
        else:
            fetched.append(tx)
    result = index_batch(fetched, finalized_slot=finalized_slot, address=address, counted=len(wanted))
    result.already += sorted(known)
    if missing:
        failures = {signature: "getTransaction found nothing at confirmed commitment" for signature in missing}
        dead_letters.record(failures, address)
        result.failed.update(failures)
    dead_letters.resolve(sorted(known))
    db.session.commit()
    holders.refresh_stale(client)
    return result
