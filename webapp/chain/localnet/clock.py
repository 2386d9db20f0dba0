"""Slots, block times, blockhashes and commitment levels: what LiteSVM does not keep.

Every slot gets a blockhash derived from the genesis hash and the slot number,
so the sequence is the same after a restart and a blockhash handed out before
a restart stays valid for its ~150 slots.
"""
from __future__ import annotations

import hashlib
import time
from collections import OrderedDict

from solders.clock import Clock
from solders.hash import Hash

PROCESSED, CONFIRMED, FINALIZED = "processed", "confirmed", "finalized"
_COMMITMENT_ALIASES = {
    PROCESSED: PROCESSED, "recent": PROCESSED,
    CONFIRMED: CONFIRMED, "single": CONFIRMED, "singleGossip": CONFIRMED,
    FINALIZED: FINALIZED, "root": FINALIZED, "max": FINALIZED,
}
# A blockhash may be used for this many slots after the slot that produced it (MAX_PROCESSING_AGE).
BLOCKHASH_VALID_SLOTS = 150
SLOTS_PER_EPOCH = 432_000


def normalize_commitment(value: object, default: str = FINALIZED) -> str:
    """The canonical level for a `commitment` parameter; ValueError on an unknown one."""
    if value is None:
        return default
    level = _COMMITMENT_ALIASES.get(value) if isinstance(value, str) else None
    if level is None:
        raise ValueError(f"unknown variant `{value}`, expected one of `processed`, `confirmed`, `finalized`")
    return level


def sysvar_clock(slot: int, unix_timestamp: int) -> Clock:
    """The Clock sysvar for a slot; a pure function so replay sees what live execution saw."""
    epoch = slot // SLOTS_PER_EPOCH
    return Clock(slot, unix_timestamp, epoch, epoch + 1, unix_timestamp)


class SlotClock:
    """The chain's notion of time. Owned by the event loop; not thread-safe."""

    def __init__(self, genesis_hash: bytes, start_slot: int, *, confirm_depth: int = 1,
                 finality_depth: int = 8, now: int | None = None) -> None:
        self.genesis_hash = genesis_hash
        self.confirm_depth = confirm_depth
        self.finality_depth = max(finality_depth, confirm_depth)
        self.slot = start_slot
        self._block_times: OrderedDict[int, int] = OrderedDict()
        self._recent: dict[str, int] = {}
        self._block_times[start_slot] = int(time.time()) if now is None else now
        for slot in range(max(0, start_slot - BLOCKHASH_VALID_SLOTS), start_slot + 1):
            self._recent[str(self.blockhash_at(slot))] = slot

    def blockhash_at(self, slot: int) -> Hash:
        return Hash(hashlib.sha256(self.genesis_hash + slot.to_bytes(8, "little")).digest())

    def advance(self, now: int | None = None) -> int:
        """Start the next slot; returns it."""
        self.slot += 1
        self._block_times[self.slot] = int(time.time()) if now is None else now
        # Keep block times for the commitment window only; records carry their own.
        while len(self._block_times) > self.finality_depth + BLOCKHASH_VALID_SLOTS + 2:
            self._block_times.popitem(last=False)
        self._recent[str(self.blockhash_at(self.slot))] = self.slot
        expired = self.slot - BLOCKHASH_VALID_SLOTS - 1
        if expired >= 0:
            self._recent.pop(str(self.blockhash_at(expired)), None)
        return self.slot

    def block_time(self, slot: int | None = None) -> int:
        return self._block_times.get(self.slot if slot is None else slot, self._block_times[self.slot])

    def known_block_time(self, slot: int) -> int | None:
        return self._block_times.get(slot)

    def commitment_slot(self, commitment: str) -> int:
        if commitment == PROCESSED:
            return self.slot
        depth = self.confirm_depth if commitment == CONFIRMED else self.finality_depth
        return max(self.slot - depth, 0)

    def blockhash_slot(self, blockhash: str) -> int | None:
        """The slot that produced `blockhash` if it is still usable, else None."""
        return self._recent.get(blockhash)

    def latest_blockhash(self, commitment: str) -> tuple[Hash, int]:
        """(blockhash, lastValidBlockHeight) at a commitment level; block height equals slot here."""
        slot = self.commitment_slot(commitment)
        return self.blockhash_at(slot), slot + BLOCKHASH_VALID_SLOTS

    def status_of(self, slot: int) -> tuple[int | None, str]:
        """(confirmations, confirmationStatus) of something that landed in `slot`."""
        if slot <= self.commitment_slot(FINALIZED):
            return None, FINALIZED
        status = CONFIRMED if slot <= self.commitment_slot(CONFIRMED) else PROCESSED
        return self.slot - slot, status

    def reached(self, slot: int, commitment: str) -> bool:
        return slot <= self.commitment_slot(commitment)
