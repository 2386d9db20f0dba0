"""Holder balances per token account, from postTokenBalances: the newest transaction wins.

Ordering: a higher slot wins. Within one slot (no public order), a transaction
whose pre-balance equals the stored post-balance came after it. A tie that
rule cannot settle marks the account `stale`; `refresh_stale` then reads it
from the chain, stamped with the chain's slot so older transactions never
overwrite it.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import ColumnElement, and_, case, column, or_, select
from sqlalchemy import table as sql_table
from sqlalchemy.dialects.postgresql import insert as pg_insert

from webapp.chain.rpc import SolanaRpcClient
from webapp.extensions import db
from webapp.models import HolderAccount
from webapp.services.indexer import bulk
from webapp.services.indexer.transactions import PreparedTransaction

REFRESH_CHUNK = 100


@dataclass(frozen=True)
class BalanceWrite:
    account: str
    mint: str
    owner: str | None
    amount: int
    slot: int
    signature: str
    pre_amount: int
    stale: bool = False

    def astuple(self) -> tuple[object, ...]:
        return (self.account, self.mint, self.owner, self.amount, self.slot, self.signature, self.pre_amount,
                self.stale)


COLUMNS = ("account", "mint", "owner", "amount", "slot", "signature", "pre_amount", "stale")


def later(stored: BalanceWrite, new: BalanceWrite) -> BalanceWrite:
    """Which of two writes to one account is the newer (the same rule as the SQL upsert)."""
    if new.slot != stored.slot:
        return new if new.slot > stored.slot else stored
    if new.signature == stored.signature or new.amount == stored.amount:
        return stored
    new_follows = new.pre_amount == stored.amount
    stored_follows = stored.pre_amount == new.amount
    if new_follows and not stored_follows:
        return replace(new, stale=new.stale or stored.stale)
    if stored_follows and not new_follows:
        return stored
    return replace(stored, stale=True)


def balance_writes(transactions: Iterable[PreparedTransaction]) -> list[BalanceWrite]:
    """One write per account for a batch, folded with `later`, sorted by account (lock order)."""
    writes: dict[str, BalanceWrite] = {}
    for tx in transactions:
        for change in tx.balances:
            write = BalanceWrite(change.account, change.mint, change.owner, change.post, tx.slot, tx.signature,
                                 change.pre)
            writes[change.account] = later(writes[change.account], write) if change.account in writes else write
    return [writes[account] for account in sorted(writes)]


def apply_balances(writes: list[BalanceWrite]) -> None:
    """Upsert the batch's balances; the WHERE clause keeps the newer one under concurrent workers."""
    if not writes:
        return
    table = HolderAccount.__table__
    stage = bulk.staged("holder_accounts", COLUMNS, (write.astuple() for write in writes))
    stmt = pg_insert(table).from_select(COLUMNS, select(*(column(c) for c in COLUMNS)).select_from(
        sql_table(stage)).order_by(column("account")))
    new, old = stmt.excluded, table.c
    tx_written = old.signature.is_not(None)
    same_slot = and_(new.slot == old.slot, tx_written, new.signature != old.signature, new.amount != old.amount)
    new_follows = and_(new.pre_amount == old.amount, old.pre_amount != new.amount)
    stored_follows = and_(old.pre_amount == new.amount, new.pre_amount != old.amount)
    newer = or_(new.slot > old.slot, and_(same_slot, new_follows))
    tie = and_(same_slot, ~new_follows, ~stored_follows)

    def pick(column: str) -> ColumnElement[Any]:
        return case((newer, getattr(new, column)), else_=getattr(old, column))

    stmt = stmt.on_conflict_do_update(
        index_elements=[old.account],
        set_={
            "owner": pick("owner"), "amount": pick("amount"), "slot": pick("slot"),
            "signature": pick("signature"), "pre_amount": pick("pre_amount"),
            "stale": case((new.slot > old.slot, new.stale), (newer, or_(old.stale, new.stale)), (tie, True),
                          else_=old.stale),
        },
        where=or_(newer, tie),
    )
    db.session.execute(stmt)


def set_from_chain(account: str, mint: str, owner: str | None, amount: int, slot: int) -> None:
    """A balance read from the chain at `slot`: authoritative for every transaction up to that slot."""
    table = HolderAccount.__table__
    stmt = pg_insert(table).values(account=account, mint=mint, owner=owner, amount=amount, slot=slot,
                                   signature=None, pre_amount=None, stale=False)
    stmt = stmt.on_conflict_do_update(
        index_elements=[table.c.account],
        set_={"owner": stmt.excluded.owner, "amount": stmt.excluded.amount, "slot": stmt.excluded.slot,
              "signature": None, "pre_amount": None, "stale": False},
        where=table.c.slot <= stmt.excluded.slot,
    )
    db.session.execute(stmt)


def read_accounts(client: SolanaRpcClient, accounts: list[str]) -> tuple[int, list[dict[str, Any] | None]]:
    """(context slot, parsed token account info or None for a closed account) for each address."""
    reply = client.call("getMultipleAccounts", [accounts, {"encoding": "jsonParsed", "commitment": "confirmed"}])
    infos: list[dict[str, Any] | None] = []  # jsonParsed account info, as the RPC sends it
    for value in reply["value"]:
        data = value.get("data") if isinstance(value, dict) else None
        parsed = data.get("parsed") if isinstance(data, dict) else None
        infos.append(parsed.get("info") if isinstance(parsed, dict) else None)
    return int(reply["context"]["slot"]), infos


def refresh_accounts(client: SolanaRpcClient, accounts: list[tuple[str, str]]) -> int:
    """Re-read (account, mint) pairs from the chain and store what it says; returns how many."""
    for start in range(0, len(accounts), REFRESH_CHUNK):
        chunk = accounts[start:start + REFRESH_CHUNK]
        slot, infos = read_accounts(client, [account for account, _mint in chunk])
        for (account, mint), info in zip(chunk, infos, strict=True):
            if info is None:
                set_from_chain(account, mint, None, 0, slot)
            else:
                amount = int(info["tokenAmount"]["amount"])
                set_from_chain(account, str(info["mint"]), str(info["owner"]), amount, slot)
    db.session.commit()
    return len(accounts)


def refresh_stale(client: SolanaRpcClient, limit: int = 1000) -> int:
    """Settle same-slot ties by reading the accounts from the chain."""
    stale = db.session.execute(
        select(HolderAccount.account, HolderAccount.mint).where(HolderAccount.stale.is_(True)).limit(limit)
    ).all()
    return refresh_accounts(client, [(account, mint) for account, mint in stale]) if stale else 0

