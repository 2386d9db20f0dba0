"""The local chain as one object: clock + ledger + store + journal, restored from disk."""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from pathlib import Path

from webapp.chain.localnet.clock import FINALIZED, SlotClock
from webapp.chain.localnet.ledger import Ledger
from webapp.chain.localnet.storage import (
    Journal,
    SnapshotHeader,
    load_last_slot,
    load_or_create_genesis,
    read_snapshot,
    save_last_slot,
    write_snapshot,
)
from webapp.chain.localnet.store import TransactionStore

log = logging.getLogger(__name__)

SNAPSHOT_FILE = "accounts.snapshot"
JOURNAL_FILE = "transactions.journal"
# The slot is saved every this many slots; a restart resumes past the last save plus
# this margin, so slots never go backwards even after a hard kill.
CLOCK_SAVE_SLOTS = 5


@dataclass
class LocalnetSettings:
    data_dir: Path
    host: str = "127.0.0.1"
    rpc_port: int = 8899
    ws_port: int = 8900
    slot_ms: int = 400
    # A real cluster finalizes ~32 slots behind; a few is enough to exercise the difference.
    finality_slots: int = 8
    confirm_slots: int = 1
    snapshot_every: int = 20_000


class LocalChain:
    def __init__(self, settings: LocalnetSettings) -> None:
        self.settings = settings
        self.data_dir = Path(settings.data_dir)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        now = int(time.time())
        genesis = load_or_create_genesis(self.data_dir, now)
        self.genesis_hash = genesis.genesis_hash
        self.journal = Journal(self.data_dir / JOURNAL_FILE)
        self.store = TransactionStore(self.journal)
        self.clock = self._new_clock(0)
        self.ledger = Ledger(genesis.faucet, self.clock, self.store)
        last_slot = self._restore()
        self.clock = self._new_clock(last_slot + 1)
        self.ledger.clock = self.clock
        self.ledger.set_clock(self.clock.slot, self.clock.block_time())
        self._since_snapshot = 0
        self.ledger.listeners.append(lambda *_: self._count_for_snapshot())

    def _new_clock(self, start_slot: int) -> SlotClock:
        return SlotClock(self.genesis_hash, start_slot, confirm_depth=self.settings.confirm_slots,
                         finality_depth=self.settings.finality_slots)

    def _restore(self) -> int:
        """Load the snapshot, replay the journal (executing only its tail); returns the last slot."""
        started = time.monotonic()
        snapshot = read_snapshot(self.data_dir / SNAPSHOT_FILE)
        executed_from = 0
        if snapshot is not None and snapshot[0].journal_size <= self.journal.size:
            header, accounts = snapshot
            self.ledger.load_accounts(accounts)
            executed_from = header.journal_size
        elif snapshot is not None:
            log.warning("snapshot is ahead of the journal; replaying the whole journal instead")
        saved_slot = load_last_slot(self.data_dir)
        last_slot = saved_slot + CLOCK_SAVE_SLOTS if saved_slot else 0
        count = 0
        for record, offset, length in self.journal.records():
            self.ledger.replay(record, offset, length, execute=offset >= executed_from)
            last_slot = max(last_slot, int(record["slot"]))
            count += 1
        self.ledger.rebuild_token_index()
        if count:
            log.info("restored %d transactions in %.2fs (executed from byte %d)",
                     count, time.monotonic() - started, executed_from)
        return last_slot

    def tick(self) -> int:
        """Advance one slot: new blockhash, Clock sysvar, and forget finalized pre-images."""
        slot = self.clock.advance()
        self.ledger.set_clock(slot, self.clock.block_time())
        self.ledger.history.prune(self.clock.commitment_slot(FINALIZED))
        return slot

    def save_clock(self) -> None:
        save_last_slot(self.data_dir, self.clock.slot)

    def _count_for_snapshot(self) -> None:
        self._since_snapshot += 1

    @property
    def snapshot_due(self) -> bool:
        return self._since_snapshot >= self.settings.snapshot_every

    def capture_snapshot(self) -> tuple[SnapshotHeader, list[tuple[bytes, bytes]]]:
        """Capture account state on the loop (consistent with the journal size); write it elsewhere."""
        accounts = self.ledger.snapshot_accounts()
        header = SnapshotHeader(self.store.next_seq, self.clock.slot, self.journal.size, len(accounts))
        self._since_snapshot = 0
        return header, accounts

    def write_snapshot(self, header: SnapshotHeader, accounts: list[tuple[bytes, bytes]]) -> None:
        # The journal up to header.journal_size must be on disk before a snapshot relies on it.
        self.journal.sync()
        write_snapshot(self.data_dir / SNAPSHOT_FILE, header, accounts)

    def close(self) -> None:
        header, accounts = self.capture_snapshot()
        self.write_snapshot(header, accounts)
        self.save_clock()
        self.journal.close()
