"""From confirmed to finalized: mark what the chain finalized, undo what disappeared.

A confirmed transaction can still be dropped with its fork. Once its slot is
finalized the chain either knows it (finalized) or never will; a dropped one is
deleted with its events and trades, and everything it drove is recomputed for
its mints: candles and last price from the remaining trades, supply from the
chain, holder balances of its token accounts from the chain, involvement of its days.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Date, cast, delete, func, select, update

from webapp.chain.rpc import SolanaRpcClient
from webapp.extensions import db
from webapp.models import (
    Candle,
    HolderAccount,
    IndexedTransaction,
    Token,
    TokenMarket,
    TokenTrade,
    TransactionEvent,
    WalletActivity,
)
from webapp.services.indexer import holders, market
from webapp.services.indexer.tracking import read_mint

STATUS_CHUNK = 256


@dataclass
class FinalityReport:
    finalized: int = 0
    removed: list[str] = field(default_factory=list)


def finalize(client: SolanaRpcClient, limit: int = 5000) -> FinalityReport:
    """Settle confirmed transactions whose slot the chain has finalized."""
    finalized_slot = client.get_slot("finalized")
    rows = db.session.execute(
        select(IndexedTransaction.signature).where(IndexedTransaction.commitment == "confirmed",
                                                   IndexedTransaction.slot <= finalized_slot)
        .order_by(IndexedTransaction.slot).limit(limit)
    ).scalars().all()
    report = FinalityReport()
    final: list[str] = []
    for start in range(0, len(rows), STATUS_CHUNK):
        chunk = list(rows[start:start + STATUS_CHUNK])
        for signature, status in zip(chunk, client.get_signature_statuses(chunk, search_history=True), strict=True):
            if status is not None and status.reached("finalized"):
                final.append(signature)
            elif status is None and client.get_transaction(signature, encoding="json", commitment="finalized") is None:
                report.removed.append(signature)
    if final:
        db.session.execute(update(IndexedTransaction).where(IndexedTransaction.signature.in_(final))
                           .values(commitment="finalized"))
    db.session.commit()
    report.finalized = len(final)
    if report.removed:
        remove_transactions(client, report.removed)
    return report


def remove_transactions(client: SolanaRpcClient, signatures: Sequence[str]) -> None:
    """Delete transactions the chain dropped and recompute what they drove."""
    rows = list(db.session.scalars(
        select(IndexedTransaction).where(IndexedTransaction.signature.in_(list(signatures)))))
    if not rows:
        return
    mints = sorted({mint for row in rows for mint in row.mints})
    days = {(mint, row.block_time.date()) for row in rows if row.block_time for mint in row.mints}
    accounts = sorted({account for row in rows for account in row.token_accounts})
    owned = dict(db.session.execute(select(HolderAccount.account, HolderAccount.mint)
                                    .where(HolderAccount.account.in_(accounts))).all())
    db.session.execute(delete(IndexedTransaction).where(IndexedTransaction.id.in_([row.id for row in rows])))
    for mint in mints:
        rebuild_market(mint)
    for mint, day in sorted(days):
        rebuild_activity(mint, day)
    db.session.commit()
    for mint in mints:
        refresh_supply(client, mint)
    holders.refresh_accounts(client, [(account, owned[account]) for account in accounts if account in owned])


def rebuild_market(mint: str) -> None:
    """Candles and last price of one mint from its remaining trades."""
    db.session.execute(delete(Candle).where(Candle.mint == mint))
    db.session.execute(delete(TokenMarket).where(TokenMarket.mint == mint))
    trades = db.session.execute(select(TokenTrade.__table__).where(TokenTrade.mint == mint)).mappings().all()
    rows = [dict(row) for row in trades]
    market.apply_trades_derived(rows)
    market.refresh_market_caps([mint])


def rebuild_activity(mint: str, day: date) -> None:
    db.session.execute(delete(WalletActivity).where(WalletActivity.mint == mint, WalletActivity.day == day))
    wallets = db.session.scalars(
        select(TransactionEvent.wallet).distinct()
        .where(TransactionEvent.mint == mint, TransactionEvent.wallet.is_not(None), TransactionEvent.label != "failed",
               cast(func.timezone("UTC", TransactionEvent.block_time), Date) == day)
    ).all()
    for wallet in wallets:
        db.session.add(WalletActivity(mint=mint, day=day, wallet=wallet))


def refresh_supply(client: SolanaRpcClient, mint: str) -> None:
    facts = read_mint(client, mint)
    db.session.execute(update(Token).where(Token.mint == mint).values(supply=facts.supply, supply_slot=facts.slot))
    market.refresh_market_caps([mint])
    db.session.commit()
