"""The listener process killed, the chain stopped, both restarted during activity: nothing is missed."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from prometheus_client import CollectorRegistry
from rq import SimpleWorker
from solders.keypair import Keypair
from solders.pubkey import Pubkey
from sqlalchemy import select

from tests.integration.chain.conftest import REPO_ROOT, ChainProcess, make_token_world
from tests.integration.indexer.conftest import DECIMALS, point_app_at
from webapp.chain import spl
from webapp.chain.rpc import SolanaRpcClient
from webapp.extensions import db, redis_client, solana_client
from webapp.models import IndexedTransaction
from webapp.services.indexer import backfill, queueing, status
from webapp.services.indexer.tracking import track_mint


class Activity(threading.Thread):
    """Transfers between a few wallets, as fast as the chain takes them; pauses while it is down."""

    def __init__(self, rpc: SolanaRpcClient, payer: Keypair, mint: Pubkey) -> None:
        super().__init__(daemon=True)
        self.rpc, self.payer, self.mint = rpc, payer, mint
        self.receivers = [Keypair().pubkey() for _ in range(4)]
        self.running = threading.Event()
        self.done = threading.Event()
        self.sent = 0

    def run(self) -> None:
        index = 0
        while not self.done.is_set():
            if not self.running.is_set():
                time.sleep(0.02)
                continue
            try:
                blockhash = self.rpc.get_latest_blockhash().blockhash
                receiver = self.receivers[index % len(self.receivers)]
                ixs = spl.transfer(self.payer.pubkey(), self.mint, receiver, 1 + index, DECIMALS)
                self.rpc.send_transaction(spl.sign(ixs, self.payer, blockhash))
                self.sent += 1
                index += 1
                time.sleep(0.01)
            except Exception:  # noqa: BLE001 - the chain is down on purpose for a while
                time.sleep(0.1)


class Listener:
    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.env, self.log = env, log
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        out = open(self.log, "ab")
        self.process = subprocess.Popen([sys.executable, "-m", "flask", "chain", "listen"], cwd=REPO_ROOT,
                                        env=self.env, stdout=out, stderr=subprocess.STDOUT)

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture()
def listener_world(app: Flask, tmp_path: Path, database_url: str, redis_url: str) -> Iterator[tuple]:
    chain = ChainProcess(tmp_path / "data")
    chain.start()
    saved = point_app_at(app, chain)
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT), "FLASK_APP": "wsgi:app", "DATABASE_URL": database_url,
           "REDIS_URL": redis_url, "SOLANA_RPC_URLS": chain.rpc_url, "SOLANA_WS_URL": chain.ws_url,
           "LISTENER_REFRESH_SECONDS": "0.3", "LISTENER_BACKFILL_SECONDS": "2", "LISTENER_HEARTBEAT_SECONDS": "0.3",
           "LISTENER_MAX_BACKOFF_SECONDS": "1", "INDEXER_FINALITY_SECONDS": "3600", "INDEXER_SEED_HOLDERS": "1"}
    listener = Listener(env, tmp_path / "listener.log")
    try:
        yield chain, listener
    finally:
        listener.kill()
        chain.kill()
        app.config.update(saved)
        app.extensions.pop("momentum_solana", None)


def _wait_for(condition, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError("condition not met in time")


def test_no_transaction_is_missed_across_listener_and_chain_restarts(app: Flask, listener_world: tuple) -> None:
    chain, listener = listener_world
    rpc = SolanaRpcClient([chain.rpc_url], registry=CollectorRegistry(), max_attempts=1)
    world = make_token_world(rpc)
    mint = str(world.mint_key)
    activity = Activity(rpc, world.payer, world.mint_key)
    activity.start()
    with app.app_context():
        track_mint(solana_client(), mint, symbol="LSN")
        redis = redis_client()
        listener.start()
        _wait_for(lambda: (status.read_status(redis) or {}).get("state") == "live")

        activity.running.set()
        _wait_for(lambda: activity.sent >= 40)
        listener.kill()                            # 1. the listener dies mid-activity
        _wait_for(lambda: activity.sent >= 80)
        listener.start()
        _wait_for(lambda: activity.sent >= 120)
        chain.stop()                               # 2. the chain (RPC and PubSub) goes away for a while
        _wait_for(lambda: (status.read_status(redis) or {}).get("state") == "reconnecting")
        time.sleep(1.0)
        chain.start()
        _wait_for(lambda: (status.read_status(redis) or {}).get("state") == "live", timeout=30)
        _wait_for(lambda: activity.sent >= 200, timeout=30)
        activity.done.set()
        activity.join(5)
        time.sleep(0.3)

        on_chain = {info.signature for info in backfill.new_signatures(rpc, mint, None)}
        newest = backfill.new_signatures(rpc, mint, None, limit=1)[0].signature

        def caught_up() -> bool:
            db.session.expire_all()
            point = backfill.checkpoint(mint, "mint")
            db.session.rollback()
            return point.last_signature == newest

        _wait_for(caught_up, timeout=30)
        listener.stop()
        assert (status.read_status(redis) or {}).get("reconnects", 0) >= 1
        SimpleWorker([queueing.queue()], connection=redis).work(burst=True)
        indexed = set(db.session.scalars(select(IndexedTransaction.signature)))
        assert len(on_chain) > 200
        assert on_chain - indexed == set()
        assert indexed == on_chain
    rpc.close()
