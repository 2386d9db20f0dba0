"""The indexer's pure rules: balances read from transactions, same-slot ordering, candles, exact prices."""
from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from webapp.chain.classify import PlatformWallets
from webapp.services.indexer.candles import CandleDraft, Price, TradePoint, bucket_start, candle_drafts
from webapp.services.indexer.holders import BalanceWrite, later
from webapp.services.indexer.reads import percent
from webapp.services.indexer.settings import derive_ws_url, ws_urls
from webapp.services.indexer.transactions import UnreadableTransaction, prepare

FIXTURES = Path(__file__).resolve().parents[3].parent / "shared" / "fixtures" / "solana-mainnet"
USDC = "EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v"


def _fixture(pattern: str) -> dict:
    paths = sorted(FIXTURES.glob(pattern))
    if not paths:
        pytest.skip("the shared mainnet fixtures are not here")
    return json.loads(paths[0].read_text())


def test_prepare_reads_tracked_balances_from_a_v0_json_transaction() -> None:
    raw = _fixture("jupiter_swap/28rWme56aMyaP8oX.json")  # json encoding, loaded addresses
    tx = prepare(raw, {USDC}, PlatformWallets())
    by_owner = {change.owner: change.post - change.pre for change in tx.balances}
    assert by_owner["3xTPAZxmpwd8GrNEKApaTw6VH4jqJ31WFXUvQzgwhR7c"] == -1_000_000
    assert by_owner["4cLUBQKZgCv2AqGXbh8ncGhrDRcicUe3WSDzjgPY2oTA"] == 8_750
    assert tx.supply_changes() == {}  # a swap mints and burns nothing
    assert [label for label in (e.label for e in tx.events)] == ["sell"]
    assert tx.trades() == [(0, tx.events[0])] and tx.fee_payer == "3xTPAZxmpwd8GrNEKApaTw6VH4jqJ31WFXUvQzgwhR7c"


def test_prepare_counts_minted_supply_and_ignores_failed_balances() -> None:
    create = prepare(_fixture("pumpfun_create/*[!d].json"), {"7F7TeMsGutc2YpxeH7U3PiFLwG2FygN2jMLeDKAXNbwu"},
                     PlatformWallets())
    assert create.supply_changes() == {"7F7TeMsGutc2YpxeH7U3PiFLwG2FygN2jMLeDKAXNbwu": 10**15}
    failed_raw = _fixture("failed/43VK3TtYjN21VG13.json")
    mints = {b["mint"] for b in failed_raw["meta"]["postTokenBalances"] or []}
    failed = prepare(failed_raw, mints, PlatformWallets())
    assert failed.failed and failed.balances == [] and [e.label for e in failed.events] == ["failed"]


def test_prepare_refuses_a_result_without_identity() -> None:
    with pytest.raises(UnreadableTransaction):
        prepare({"transaction": {"signatures": []}, "meta": {}}, set(), PlatformWallets())


def _write(slot: int, pre: int, post: int, signature: str) -> BalanceWrite:
    return BalanceWrite("acct", "mint", "owner", post, slot, signature, pre)


def test_newer_slot_wins_and_same_slot_follows_the_balance_chain() -> None:
    assert later(_write(5, 0, 10, "a"), _write(4, 10, 3, "b")).signature == "a"
    assert later(_write(5, 0, 10, "a"), _write(6, 99, 3, "b")).signature == "b"
    assert later(_write(5, 0, 10, "a"), _write(5, 10, 7, "b")).signature == "b"   # b spent a's balance
    assert later(_write(5, 10, 7, "b"), _write(5, 0, 10, "a")).signature == "b"   # a came before b
    tie = later(_write(5, 7, 10, "a"), _write(5, 10, 7, "b"))                    # a cycle: only the chain knows
    assert tie.stale and tie.signature == "a"


def _trade(slot: int, signature: str, lamports: int, units: int, second: int) -> TradePoint:
    at = datetime(2026, 1, 1, 12, 0, second, tzinfo=UTC)
    return TradePoint("mint", slot, signature, at, Price(lamports, units), units, lamports)


def test_candles_merge_exactly_whatever_the_order() -> None:
    trades = [_trade(10, "b", 300, 100, 5), _trade(9, "a", 100, 100, 1), _trade(11, "c", 200, 100, 50)]
    [minute] = [d for d in candle_drafts(trades) if d.interval_seconds == 60]
    assert (minute.open, minute.close) == (Price(100, 100), Price(200, 100))
    assert (minute.high, minute.low) == (Price(300, 100), Price(100, 100))
    assert (minute.volume_lamports, minute.volume_units, minute.trades) == (600, 300, 3)
    reversed_ = [d for d in candle_drafts(trades[::-1]) if d.interval_seconds == 60]
    assert [_fields(d) for d in reversed_] == [_fields(minute)]
    assert len(candle_drafts(trades)) == 4  # 1m, 5m, 1h, 1d
    assert bucket_start(trades[2].at, 300) == datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


def _fields(draft: CandleDraft) -> tuple[object, ...]:
    return (draft.open, draft.high, draft.low, draft.close, draft.volume_lamports, draft.trades)


def test_prices_are_exact_ratios() -> None:
    assert Price(1, 3) < Price(1, 2) and Price(2, 4) == Price(2, 4) and not Price(2, 4) < Price(1, 2)
    assert Price(3_556_271, 94_443_000_000).lamports_per_token(6) == 37
    assert Price(3_556_271, 94_443_000_000).sol_per_token(6) == "0.000000037655"
    assert Price(10**9, 10**6).sol_per_token(6) == "1"
    assert percent(1, 3) == "33.33" and percent(-11, 10_000) == "-0.11" and percent(1, 0) == "—"


def test_pubsub_url_derivation() -> None:
    assert derive_ws_url("http://127.0.0.1:8899") == "ws://127.0.0.1:8900"
    assert derive_ws_url("https://mainnet.helius-rpc.com/?api-key=abc") == "wss://mainnet.helius-rpc.com/?api-key=abc"
    assert ws_urls(["http://a:8899"], "ws://x:1, ws://y:2") == ["ws://x:1", "ws://y:2"]


def test_one_transaction_with_two_trades_opens_on_the_first_and_closes_on_the_last() -> None:
    same_tx = [_trade(10, "x", 100, 100, 1), _trade(10, "x", 300, 100, 1), _trade(10, "x", 200, 100, 1)]
    [minute] = [d for d in candle_drafts(same_tx) if d.interval_seconds == 60]
    assert (minute.open, minute.close, minute.high, minute.low) == (
        Price(100, 100), Price(200, 100), Price(300, 100), Price(100, 100))
    later_trades = [_trade(3, "a", 1, 1, 0), _trade(3, "a", 2, 1, 59)]
    [later] = [d for d in candle_drafts(later_trades) if d.interval_seconds == 60]
    assert later.close == Price(2, 1) and later.open == Price(1, 1)
