"""The transaction store: signature lookup, statuses and the address -> signatures index.

Full records live in the journal on disk; memory holds one small entry per
transaction so statuses and signature lists never touch the disk.
"""
from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass
from typing import Any

from webapp.chain.localnet.storage import Journal


@dataclass(slots=True)
class TxEntry:
    seq: int
    signature: str
    slot: int
    block_time: int
    err: Any
    memo: str | None
    offset: int
    length: int


class TransactionStore:
    def __init__(self, journal: Journal) -> None:
        self.journal = journal
        self.by_signature: dict[str, TxEntry] = {}
        self.by_address: dict[str, list[TxEntry]] = {}
        self.next_seq = 0

    def __len__(self) -> int:
        return len(self.by_signature)

    def add(self, entry: TxEntry, addresses: list[str]) -> None:
        self.by_signature[entry.signature] = entry
        self.next_seq = max(self.next_seq, entry.seq + 1)
        for address in dict.fromkeys(addresses):
            self.by_address.setdefault(address, []).append(entry)

    def get(self, signature: str) -> TxEntry | None:
        return self.by_signature.get(signature)

    def record(self, entry: TxEntry) -> dict[str, Any]:
        return self.journal.read(entry.offset, entry.length)

    def signatures_for(self, address: str, *, before: str | None, until: str | None,
                       limit: int, max_slot: int) -> list[TxEntry]:
        """Newest first, as getSignaturesForAddress answers; `before`/`until` are exclusive."""
        entries = self.by_address.get(address, [])
        end = len(entries)
        if before is not None:
            anchor = self.by_signature.get(before)
            if anchor is None:
                return []
            end = bisect_left(entries, anchor.seq, key=lambda e: e.seq)
        found: list[TxEntry] = []
        for index in range(end - 1, -1, -1):
            entry = entries[index]
            if entry.signature == until:
                break
            if entry.slot > max_slot:
                continue
            found.append(entry)
            if len(found) >= limit:
                break
        return found
