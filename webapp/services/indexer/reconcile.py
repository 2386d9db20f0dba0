"""Reconciliation: indexed holder balances against the token accounts on chain.

For each tracked mint it reads the largest accounts (getTokenLargestAccounts)
and every known holder's accounts (getTokenAccountsByOwner), compares them
with the index, re-reads the differing accounts once after a pause (the index
may simply be a moment behind) and stores what still differs.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import delete, func, select

from webapp.chain.rpc import SolanaRpcClient, SolanaRpcError, SolanaUnavailable
from webapp.extensions import db
from webapp.models import HolderAccount, HolderMismatch, PlatformWallet, ReconciliationRun, Token
from webapp.services.indexer.holders import read_accounts

MAX_OWNERS = 1000
KEEP_RUNS = 5


def indexed_balances(mint: str) -> dict[str, tuple[str | None, int]]:
    rows = db.session.execute(select(HolderAccount.account, HolderAccount.owner, HolderAccount.amount)
                              .where(HolderAccount.mint == mint)).all()
    return {account: (owner, int(amount)) for account, owner, amount in rows}


def chain_balances(client: SolanaRpcClient, mint: str, owners: list[str]) -> dict[str, int]:
    reply = client.call("getTokenLargestAccounts", [mint, {"commitment": "confirmed"}])
    found = {item["address"]: int(item["amount"]) for item in reply["value"]}
    for owner in owners:
        for holding in client.get_token_accounts_by_owner(owner, mint=mint):
            found[holding.address] = holding.amount
    return found


def differences(indexed: dict[str, tuple[str | None, int]], on_chain: dict[str, int],
                owners: set[str]) -> list[str]:
    """Accounts whose balances differ; an indexed account of a checked owner missing on chain counts as 0."""
    accounts = set(on_chain) | {a for a, (owner, _amount) in indexed.items() if owner in owners}
    return sorted(a for a in accounts if on_chain.get(a, 0) != indexed.get(a, (None, 0))[1])


def owners_to_check(mint: str) -> list[str]:
    """The platform's own wallets holding the mint (escrows, vaults, funds: pages state their balances as
    verified, so every run checks them), then the largest indexed holders."""
    platform = db.session.scalars(select(HolderAccount.owner).join(
        PlatformWallet, PlatformWallet.address == HolderAccount.owner).where(HolderAccount.mint == mint).distinct())
    largest = db.session.scalars(
        select(HolderAccount.owner).where(HolderAccount.mint == mint, HolderAccount.owner.is_not(None))
        .group_by(HolderAccount.owner).order_by(func.sum(HolderAccount.amount).desc()).limit(MAX_OWNERS))
    return [owner for owner in dict.fromkeys([*platform, *largest]) if owner is not None]


def reconcile(client: SolanaRpcClient, mint: str, recheck_pause: float = 1.0) -> ReconciliationRun:
    run = ReconciliationRun(mint=mint)
    db.session.add(run)
    db.session.commit()
    try:
        owners = owners_to_check(mint)
        on_chain = chain_balances(client, mint, owners)
        suspects = differences(indexed_balances(mint), on_chain, set(owners))
        run.accounts_checked = len(set(on_chain) | set(suspects))
        if suspects:
            time.sleep(recheck_pause)
            _record_persistent(client, run, suspects)
    except (SolanaRpcError, SolanaUnavailable) as error:
        run.error = str(error)[:2000]
    run.finished_at = datetime.now(UTC)
    _prune(mint)
    db.session.commit()
    return run


def _record_persistent(client: SolanaRpcClient, run: ReconciliationRun, suspects: list[str]) -> None:
    db.session.expire_all()
    indexed = indexed_balances(run.mint)
    slot, infos = read_accounts(client, suspects)
    for account, info in zip(suspects, infos, strict=True):
        chain_amount = int(info["tokenAmount"]["amount"]) if info else 0  # type: ignore[index]
        owner, indexed_amount = indexed.get(account, (str(info["owner"]) if info else None, 0))
        if chain_amount != indexed_amount:
            db.session.add(HolderMismatch(run_id=run.id, mint=run.mint, account=account, owner=owner,
                                          indexed_amount=indexed_amount, chain_amount=chain_amount, chain_slot=slot))
            run.mismatches += 1


def _prune(mint: str) -> None:
    keep = select(ReconciliationRun.id).where(ReconciliationRun.mint == mint).order_by(
        ReconciliationRun.id.desc()).limit(KEEP_RUNS)
    db.session.execute(delete(ReconciliationRun).where(ReconciliationRun.mint == mint,
                                                       ReconciliationRun.id.not_in(keep)))


def reconcile_all(client: SolanaRpcClient) -> list[ReconciliationRun]:
    return [reconcile(client, mint) for mint in db.session.scalars(select(Token.mint).order_by(Token.id))]


@dataclass(frozen=True)
class OwnerCheck:
    """What the last completed reconciliation of a mint found for one owner's indexed balance."""

    checked_at: datetime | None  # None: no reconciliation of the mint has completed yet
    matched: bool  # the chain agreed with the index on every account of the owner

    @property
    def verified(self) -> bool:
        return self.checked_at is not None and self.matched


def last_check(mint: str, owner: str) -> OwnerCheck:
    """A run that ended in an RPC error proves nothing, so the newest run that completed answers."""
    run = db.session.scalar(select(ReconciliationRun).where(
        ReconciliationRun.mint == mint, ReconciliationRun.finished_at.is_not(None), ReconciliationRun.error.is_(None))
        .order_by(ReconciliationRun.id.desc()).limit(1))
    if run is None:
        return OwnerCheck(None, False)
    differs = db.session.scalar(select(func.count()).select_from(HolderMismatch).where(
        HolderMismatch.run_id == run.id, HolderMismatch.owner == owner))
    return OwnerCheck(run.finished_at.astimezone(UTC) if run.finished_at else None, not differs)


def latest_runs() -> list[ReconciliationRun]:
    newest = select(func.max(ReconciliationRun.id)).group_by(ReconciliationRun.mint)
    return list(db.session.scalars(select(ReconciliationRun).where(ReconciliationRun.id.in_(newest))
                                   .order_by(ReconciliationRun.mint)))


def mismatches(run_ids: list[int], limit: int = 100) -> list[HolderMismatch]:
    return list(db.session.scalars(select(HolderMismatch).where(HolderMismatch.run_id.in_(run_ids))
                                   .order_by(HolderMismatch.id).limit(limit)))
