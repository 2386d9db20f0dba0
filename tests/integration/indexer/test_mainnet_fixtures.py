"""Real mainnet transactions through index_batch: trades, exact prices, candles, market cap, 24h figures."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from flask import Flask
from sqlalchemy import func, select

from tests.conftest import PUMP_MINT, RAYDIUM_MINT, SUPPLY, mainnet_transactions
from webapp.extensions import db
from webapp.models import Candle, IndexedTransaction, Token, TokenTrade, TransactionEvent
from webapp.services.indexer import reads, store
from webapp.services.indexer.candles import Price


def test_mainnet_trades_drive_prices_candles_and_market_cap(app: Flask) -> None:
    raws = mainnet_transactions()
    with app.app_context():
        for mint in (RAYDIUM_MINT, PUMP_MINT):
            db.session.add(Token(mint=mint, decimals=6, supply=SUPPLY, supply_slot=0, program="token"))
        db.session.commit()
        result = store.index_batch(raws)
        assert len(result.indexed) == len(raws) and not result.failed
        assert store.index_batch(raws).already and db.session.scalar(
            select(func.count()).select_from(IndexedTransaction)) == len(raws)
        assert db.session.execute(select(func.count()).select_from(TransactionEvent)).scalar_one() >= len(raws)

        raydium = db.session.scalars(select(TokenTrade).where(TokenTrade.mint == RAYDIUM_MINT)
                                     .order_by(TokenTrade.position)).all()
        assert [t.side for t in raydium] == ["buy"] * 5
        assert [int(t.sol_amount) for t in raydium] == [4350040, 2090968, 4853100, 1993471, 5096440]
        [minute] = db.session.scalars(select(Candle).where(Candle.mint == RAYDIUM_MINT, Candle.interval_seconds == 60))
        assert (int(minute.open_lamports), int(minute.open_units)) == (4350040, 135637377613)
        assert (int(minute.close_lamports), int(minute.close_units)) == (5096440, 158742070732)
        prices = [Price(int(t.sol_amount), int(t.token_amount)) for t in raydium]
        assert Price(int(minute.high_lamports), int(minute.high_units)) == max(prices)
        assert Price(int(minute.low_lamports), int(minute.low_units)) == min(prices)
        assert int(minute.volume_lamports) == sum(int(t.sol_amount) for t in raydium) and minute.trades == 5
        assert len(reads.candles(RAYDIUM_MINT, "1d")) == 1

        summary = reads.market_summary(RAYDIUM_MINT)
        assert summary is not None and summary.price == Price(5096440, 158742070732)
        assert summary.market_cap_lamports == SUPPLY * 5096440 // 158742070732
        assert all(t.wallet for t in raydium), "every Raydium buy names its buyer"
        buyers = {t.wallet: int(t.token_amount) for t in raydium if t.wallet}
        holders = {h.owner: h.amount for h in reads.top_holders(RAYDIUM_MINT, 50)}
        assert {w: holders.get(w) for w in buyers} == {w: a for w, a in buyers.items()}  # fresh ATAs: post = bought

        sell_time = datetime.fromtimestamp(1725658406, UTC)
        pump = reads.market_summary(PUMP_MINT, now=sell_time + timedelta(minutes=1))
        assert pump is not None and pump.price == Price(3556271, 94443000000)
        buy = Price(79645349, 724879458841)
        expected = (3556271 * buy.units - buy.lamports * 94443000000) * 10_000 // (buy.lamports * 94443000000)
        assert pump.change_24h_bps == expected and pump.change_24h.startswith("-")
        assert (pump.volume_24h_lamports, pump.trades_24h) == (3556271, 1)
        assert reads.involvement(PUMP_MINT, today=date(2024, 9, 7)) == [(date(2024, 9, 5), 1), (date(2024, 9, 6), 1)]
