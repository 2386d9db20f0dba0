"""Following addresses without gaps: checkpoints and getSignaturesForAddress paging.

A checkpoint names the newest signature of an address whose history, up to
and including it, has been handed to indexing. Catching up pages backwards
from the newest signature `until` the checkpoint (so nothing between them is
skipped), hands the new signatures over oldest first, then moves the
checkpoint. Handing a signature over twice is harmless: the index is keyed by
signature.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select

from webapp.chain.rpc import SignatureInfo, SolanaRpcClient
from webapp.extensions import db
from webapp.models import ChainCheckpoint, PlatformWallet, Token
from webapp.services.indexer.settings import setting

PAGE = 1000
Handoff = Callable[[list[str], str], object]


@dataclass(frozen=True)
class FollowedAddress:
    address: str
    kind: str  # mint | wallet


def followed_addresses() -> list[FollowedAddress]:
    """Every tracked mint and platform wallet: what the listener subscribes to."""
    mints = [FollowedAddress(m, "mint") for m in db.session.scalars(select(Token.mint).order_by(Token.id))]
    addresses = db.session.scalars(select(PlatformWallet.address).order_by(PlatformWallet.id))
    wallets = [FollowedAddress(address, "wallet") for address in addresses]
    return mints + wallets


def checkpoint(address: str, kind: str) -> ChainCheckpoint:
    found = db.session.get(ChainCheckpoint, address)
    if found is None:
        found = ChainCheckpoint(address=address, kind=kind, backfill_total=0, backfill_done=0)
        db.session.add(found)
        db.session.flush()
    return found


def new_signatures(client: SolanaRpcClient, address: str, until: str | None, limit: int = 0) -> list[SignatureInfo]:
    """Signatures newer than `until` (all when None), newest first, at most `limit` (0: no limit)."""
    found: list[SignatureInfo] = []
    before: str | None = None
    while True:
        page = client.get_signatures_for_address(address, before=before, until=until, limit=PAGE,
                                                 commitment="confirmed")
        found += page
        if len(page) < PAGE or (limit and len(found) >= limit):
            return found[:limit] if limit else found
        before = page[-1].signature


def catch_up(client: SolanaRpcClient, followed: FollowedAddress, hand_off: Handoff) -> int:
    """Hand every signature since the checkpoint to `hand_off(signatures, address)`; returns how many."""
    point = checkpoint(followed.address, followed.kind)
    db.session.commit()
    limit = int(setting("INDEXER_BACKFILL_LIMIT")) if point.last_signature is None else 0
    infos = new_signatures(client, followed.address, point.last_signature, limit)
    if not infos:
        return 0
    newest = infos[0]
    signatures = unknown([info.signature for info in reversed(infos)])  # oldest first, not indexed yet
    if not signatures:
        _advance(point, newest)
        return 0
    if point.backfill_done >= point.backfill_total:
        point.backfill_total, point.backfill_done = len(signatures), 0
    else:
        point.backfill_total += len(signatures)
    db.session.commit()
    hand_off(signatures, followed.address)
    _advance(point, newest)
    return len(signatures)


def _advance(point: ChainCheckpoint, newest: SignatureInfo) -> None:
    point.last_signature, point.last_slot = newest.signature, newest.slot
    point.updated_at = datetime.now(UTC)
    db.session.commit()


def unknown(signatures: list[str], chunk: int = 1000) -> list[str]:
    """The signatures not in the index yet (order kept): live notifications often got there first."""
    from webapp.services.indexer.fetching import known_signatures

    known: set[str] = set()
    for start in range(0, len(signatures), chunk):
        known |= known_signatures(signatures[start:start + chunk])
    return [signature for signature in signatures if signature not in known]


def index_now(client: SolanaRpcClient, addresses: Sequence[FollowedAddress], chunk: int = 200) -> int:
    """Catch up in this process (no queue): `flask tokens backfill` and tests."""
    from webapp.services.indexer.fetching import index_signatures

    def index(signatures: list[str], address: str) -> None:
        for start in range(0, len(signatures), chunk):
            index_signatures(signatures[start:start + chunk], client, address=address)

    return sum(catch_up(client, followed, index) for followed in addresses)


def all_checkpoints() -> list[ChainCheckpoint]:
    return list(db.session.scalars(select(ChainCheckpoint).order_by(ChainCheckpoint.kind, ChainCheckpoint.address)))
