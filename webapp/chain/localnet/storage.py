"""What the local chain keeps on disk, in its data directory.

- genesis.json: the genesis hash and the faucet key, fixed at first start.
- transactions.journal: one JSON line per accepted transaction (airdrops
  included), appended before the sender gets its signature back. It is both
  the transaction store (getTransaction reads lines back by offset) and the
  redo log replayed into LiteSVM at start.
- accounts.snapshot: every account transactions have touched, as of a
  journal position, so a restart replays only the journal's tail.
- clock.json: the last slot, so slots keep increasing across restarts.
"""
from __future__ import annotations

import json
import logging
import os
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from solders.account import Account
from solders.keypair import Keypair
from solders.pubkey import Pubkey

from webapp.chain.localnet.codec import dumps, loads

log = logging.getLogger(__name__)

_SNAPSHOT_MAGIC = b"MOMSNAP1"


@dataclass(frozen=True)
class Genesis:
    genesis_hash: bytes
    faucet: Keypair
    created_at: int


def load_or_create_genesis(data_dir: Path, now: int) -> Genesis:
    path = data_dir / "genesis.json"
    if path.exists():
        raw = json.loads(path.read_text())
        return Genesis(bytes.fromhex(raw["genesis_hash"]), Keypair.from_base58_string(raw["faucet"]),
                       int(raw["created_at"]))
    genesis = Genesis(os.urandom(32), Keypair(), now)
    body = {"genesis_hash": genesis.genesis_hash.hex(), "faucet": str(genesis.faucet), "created_at": now}
    write_atomically(path, json.dumps(body, indent=2).encode())
    return genesis


def write_atomically(path: Path, data: bytes, *, sync: bool = True) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as handle:
        handle.write(data)
        if sync:
            handle.flush()
            os.fsync(handle.fileno())
    os.replace(tmp, path)


def load_last_slot(data_dir: Path) -> int:
    path = data_dir / "clock.json"
    try:
        return int(json.loads(path.read_text())["slot"])
    except (FileNotFoundError, ValueError, KeyError):
        return 0


def save_last_slot(data_dir: Path, slot: int) -> None:
    # Not fsynced: losing the last few slots only makes a restart resume a little earlier.
    write_atomically(data_dir / "clock.json", json.dumps({"slot": slot}).encode(), sync=False)


class Journal:
    """Append-only JSON-lines file; each line is one record, addressed by (offset, length)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.touch(exist_ok=True)
        self._drop_torn_tail()
        self._writer = os.open(path, os.O_WRONLY | os.O_APPEND)
        self._reader = os.open(path, os.O_RDONLY)
        self.size = os.fstat(self._writer).st_size
        self._unsynced = False

    def _drop_torn_tail(self) -> None:
        """A crash mid-write can leave a partial last line: cut it off."""
        with open(self.path, "rb+") as handle:
            handle.seek(0, os.SEEK_END)
            size = handle.tell()
            if size == 0:
                return
            handle.seek(max(0, size - 1))
            if handle.read(1) == b"\n":
                return
            data_start = max(0, size - (1 << 20))
            handle.seek(data_start)
            tail = handle.read()
            cut = tail.rfind(b"\n")
            keep = data_start + cut + 1 if cut >= 0 else 0
            log.warning("journal %s: dropping %d bytes of a torn last record", self.path, size - keep)
            handle.truncate(keep)

    def append(self, record: dict[str, Any]) -> tuple[int, int]:
        line = dumps(record) + b"\n"
        view = memoryview(line)
        while view:
            written = os.write(self._writer, view)
            view = view[written:]
        offset = self.size
        self.size += len(line)
        self._unsynced = True
        return offset, len(line)

    def read(self, offset: int, length: int) -> dict[str, Any]:
        return loads(os.pread(self._reader, length, offset))

    def records(self, start: int = 0) -> Iterator[tuple[dict[str, Any], int, int]]:
        """Every record from byte `start`, with its offset and length; stops at a corrupt line."""
        with open(self.path, "rb") as handle:
            handle.seek(start)
            offset = start
            for line in handle:
                try:
                    record = loads(line)
                except ValueError:
                    log.error("journal %s: unreadable record at byte %d; ignoring the rest", self.path, offset)
                    return
                yield record, offset, len(line)
                offset += len(line)

    def sync(self) -> None:
        """fsync; called off the event loop, so a slow disk never stalls the RPC."""
        if self._unsynced:
            self._unsynced = False
            os.fsync(self._writer)

    def close(self) -> None:
        self.sync()
        os.close(self._writer)
        os.close(self._reader)


@dataclass(frozen=True)
class SnapshotHeader:
    seq: int
    slot: int
    journal_size: int
    count: int


def write_snapshot(path: Path, header: SnapshotHeader, accounts: list[tuple[bytes, bytes]]) -> None:
    """Write (pubkey bytes, bincode Account bytes) pairs; safe to run in a worker thread."""
    head = dumps(header.__dict__)
    parts = [_SNAPSHOT_MAGIC, struct.pack("<I", len(head)), head]
    for key, account in accounts:
        parts.append(key)
        parts.append(struct.pack("<I", len(account)))
        parts.append(account)
    write_atomically(path, b"".join(parts))


def read_snapshot(path: Path) -> tuple[SnapshotHeader, list[tuple[Pubkey, Account]]] | None:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    if not data.startswith(_SNAPSHOT_MAGIC):
        log.error("snapshot %s is not a snapshot; ignoring it", path)
        return None
    (head_len,) = struct.unpack_from("<I", data, 8)
    header = SnapshotHeader(**loads(data[12 : 12 + head_len]))
    offset = 12 + head_len
    accounts = []
    for _ in range(header.count):
        key = Pubkey(data[offset : offset + 32])
        (length,) = struct.unpack_from("<I", data, offset + 32)
        start = offset + 36
        accounts.append((key, Account.from_bytes(data[start : start + length])))
        offset = start + length
    return header, accounts
