"""Trades, candles, last price, supply and market cap of tracked mints (the write side).

Prices are exact ratios (lamports, base units); market cap is
supply * lamports // units in integer arithmetic (PostgreSQL numeric `div`).
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, case, text, tuple_
from sqlalchemy.dialects.postgresql import insert as pg_insert

from webapp.extensions import db
from webapp.models import Candle, TokenMarket, WalletActivity
from webapp.services.indexer import bulk
from webapp.services.indexer.candles import Price, TradePoint, candle_drafts
from webapp.services.indexer.transactions import PreparedTransaction


def trade_rows(transactions: Iterable[PreparedTransaction], ids: Mapping[str, int]) -> list[dict[str, object]]:
    rows = []
    for tx in transactions:
        for position, event in tx.trades():
            rows.append({
                "transaction_id": ids[tx.signature], "signature": tx.signature, "position": position,
                "mint": event.mint, "wallet": event.wallet, "side": event.label,
                "token_amount": event.token_amount, "sol_amount": event.sol_amount, "slot": tx.slot,
                "block_time": tx.block_time, "program": event.program,
            })
    return rows


def _whole(value: object) -> int:
    """A whole-number field of a trade row: int when just classified, int or Decimal when read back."""
    if not isinstance(value, int | Decimal):
        raise TypeError(f"a trade row holds {type(value).__name__} where a whole number belongs")
    return int(value)


def trade_points(rows: Iterable[Mapping[str, object]]) -> list[TradePoint]:
    """Trades with a time (a transaction without blockTime has no candle)."""
    return [
        TradePoint(str(row["mint"]), _whole(row["slot"]), str(row["signature"]), at,
                   Price(_whole(row["sol_amount"]), _whole(row["token_amount"])),
                   _whole(row["token_amount"]), _whole(row["sol_amount"]))
        for row in rows if isinstance(at := row["block_time"], datetime)
    ]


TRADE_COLUMNS = ("transaction_id", "signature", "position", "mint", "wallet", "side", "token_amount", "sol_amount",
                 "slot", "block_time", "program")


def apply_trades(rows: list[dict[str, object]]) -> None:
    """Store the trades of newly indexed transactions (COPY: they cannot exist yet) and what they drive."""
    if rows:
        bulk.copy_rows("token_trades", TRADE_COLUMNS, ([row[c] for c in TRADE_COLUMNS] for row in rows))
        apply_trades_derived(rows)


def apply_trades_derived(rows: list[dict[str, object]]) -> None:
    """Candles and last price from trades (also used to rebuild a mint's market from its trades)."""
    if not rows:
        return
    upsert_candles([draft.row() for draft in candle_drafts(trade_points(rows))])
    upsert_markets(rows)


def upsert_candles(rows: list[dict[str, object]]) -> None:
    """Merge candle drafts into stored candles: earliest open, latest close, max high, min low, sums."""
    if not rows:
        return
    table = Candle.__table__
    stmt = pg_insert(table)
    new, old = stmt.excluded, table.c
    earlier = tuple_(new.open_slot, new.open_signature) < tuple_(old.open_slot, old.open_signature)
    later = tuple_(new.close_slot, new.close_signature) > tuple_(old.close_slot, old.close_signature)
    higher = new.high_lamports * old.high_units > old.high_lamports * new.high_units
    lower = new.low_lamports * old.low_units < old.low_lamports * new.low_units

    def when(condition: ColumnElement[bool], column: str) -> ColumnElement[Any]:
        return case((condition, getattr(new, column)), else_=getattr(old, column))

    set_: dict[str, ColumnElement[Any]]
    set_ = {column: when(earlier, column) for column in ("open_lamports", "open_units", "open_slot", "open_signature")}
    set_ |= {column: when(later, column)
             for column in ("close_lamports", "close_units", "close_slot", "close_signature")}
    set_ |= {"high_lamports": when(higher, "high_lamports"), "high_units": when(higher, "high_units"),
             "low_lamports": when(lower, "low_lamports"), "low_units": when(lower, "low_units"),
             "volume_lamports": old.volume_lamports + new.volume_lamports,
             "volume_units": old.volume_units + new.volume_units, "trades": old.trades + new.trades}
    db.session.execute(stmt.on_conflict_do_update(index_elements=["mint", "interval_seconds", "starts_at"],
                                                  set_=set_), rows)


def upsert_markets(trades: list[dict[str, object]]) -> None:
    """The newest trade's price per mint (by slot, then signature) and the trade count."""
    latest: dict[str, dict[str, object]] = {}
    counts: dict[str, int] = {}
    for row in trades:
        mint = str(row["mint"])
        counts[mint] = counts.get(mint, 0) + 1
        key = (_whole(row["slot"]), str(row["signature"]))
        # `>=`: trades of one transaction come in position order, so the later one wins a tie.
        if mint not in latest or key >= (_whole(latest[mint]["price_slot"]), str(latest[mint]["price_signature"])):
            latest[mint] = {"mint": mint, "price_lamports": row["sol_amount"], "price_units": row["token_amount"],
                            "price_slot": key[0], "price_signature": key[1]}
    rows = [{**latest[mint], "trades": counts[mint], "market_cap_lamports": 0,
             "updated_at": datetime.now(UTC)} for mint in sorted(latest)]
    table = TokenMarket.__table__
    stmt = pg_insert(table)
    new, old = stmt.excluded, table.c
    newer = tuple_(new.price_slot, new.price_signature) > tuple_(old.price_slot, old.price_signature)
    set_: dict[str, ColumnElement[Any]]
    set_ = {column: case((newer, getattr(new, column)), else_=getattr(old, column))
            for column in ("price_lamports", "price_units", "price_slot", "price_signature")}
    set_ |= {"trades": old.trades + new.trades, "updated_at": new.updated_at}
    db.session.execute(stmt.on_conflict_do_update(index_elements=["mint"], set_=set_), rows)


def apply_supply(transactions: Iterable[PreparedTransaction]) -> None:
    """Add minted-minus-burned to each mint's supply, for slots after the slot the supply was read at."""
    deltas: dict[tuple[str, int], int] = {}
    for tx in transactions:
        for mint, delta in tx.supply_changes().items():
            deltas[(mint, tx.slot)] = deltas.get((mint, tx.slot), 0) + delta
    if deltas:
        db.session.execute(
            text("UPDATE tokens SET supply = supply + :delta WHERE mint = :mint AND supply_slot < :slot"),
            [{"mint": mint, "slot": slot, "delta": delta} for (mint, slot), delta in sorted(deltas.items())],
        )


def refresh_market_caps(mints: Iterable[str]) -> None:
    """market cap = supply * last price, in lamports, rounded down (integer arithmetic)."""
    mints = sorted(set(mints))
    if mints:
        db.session.execute(
            text("UPDATE token_markets AS m SET market_cap_lamports = div(t.supply * m.price_lamports, m.price_units) "
                 "FROM tokens AS t WHERE t.mint = m.mint AND m.mint = ANY(:mints)"),
            {"mints": mints},
        )


def apply_activity(transactions: Iterable[PreparedTransaction]) -> None:
    """Remember which wallets acted on which token each day (involvement)."""
    rows = {(mint, tx.block_time.date(), wallet)
            for tx in transactions if tx.block_time is not None
            for mint, wallet in tx.active_wallets()}
    if rows:
        db.session.execute(pg_insert(WalletActivity.__table__).on_conflict_do_nothing(),
                           [{"mint": m, "day": d, "wallet": w} for m, d, w in sorted(rows)])

