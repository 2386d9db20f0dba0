"""Thousands of simulated transactions, queued as RQ jobs and indexed: the index equals the chain."""
from __future__ import annotations

import random
import time

from flask import Flask
from rq import SimpleWorker
from sqlalchemy import func, select

from tests.integration.indexer.conftest import DECIMALS
from webapp.chain.localnet.simulator import MarketSimulator
from webapp.chain.rpc import SolanaRpcClient, SolanaRpcError
from webapp.extensions import db, redis_client, solana_client
from webapp.models import IndexedTransaction, IndexFailure
from webapp.services.indexer import backfill, queueing, reads, reconcile
from webapp.services.indexer.tracking import track_mint

STEPS = 2500


def _all_signatures(rpc: SolanaRpcClient, address: str) -> set[str]:
    return {info.signature for info in backfill.new_signatures(rpc, address, None)}


def test_simulated_activity_indexes_with_zero_mismatches(chain_app: Flask, rpc: SolanaRpcClient) -> None:
    simulator = MarketSimulator(rpc, wallets=8, tokens=3, rate=0, rng=random.Random(11))
    simulator.setup()
    mints = [str(token.address) for token in simulator.state.tokens]
    with chain_app.app_context():
        for mint in mints:
            track_mint(solana_client(), mint)
    sent = 0
    for _ in range(STEPS):
        try:
            sent += simulator.step() is not None
        except SolanaRpcError:  # a stale balance, as the simulator itself tolerates
            simulator.resync()
    assert sent > STEPS * 0.9
    time.sleep(0.3)  # let the last ones reach `confirmed`

    started = time.monotonic()
    with chain_app.app_context():
        for mint in mints:
            backfill.catch_up(solana_client(), backfill.FollowedAddress(mint, "mint"), queueing.enqueue_indexing)
        assert queueing.depth().waiting > 0
        SimpleWorker([queueing.queue()], connection=redis_client()).work(burst=True)
        elapsed = time.monotonic() - started

        on_chain = set().union(*(_all_signatures(rpc, mint) for mint in mints))
        indexed = set(db.session.scalars(select(IndexedTransaction.signature)))
        assert indexed == on_chain and len(indexed) > STEPS * 0.9
        assert db.session.scalar(select(func.count()).select_from(IndexFailure)) == 0
        print(f"indexed {len(indexed)} transactions through RQ in {elapsed:.1f}s")

        for mint in mints:
            run = reconcile.reconcile(solana_client(), mint, recheck_pause=0)
            assert run.error is None and run.accounts_checked >= 2
            assert run.mismatches == 0
            chain_supply = rpc.get_token_supply(mint)
            summary = reads.market_summary(mint)
            assert summary is not None and summary.supply == chain_supply.amount and summary.decimals == DECIMALS
            total_held = sum(holder.amount for holder in reads.top_holders(mint, limit=100))
            assert total_held == chain_supply.amount
