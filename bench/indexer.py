"""Indexer throughput: classified-and-stored transactions per second for one worker, vs a raw COPY.

    .venv/bin/python -m webapp.embedded exec -- python bench/indexer.py --transactions 50000

Replicates the real mainnet transactions in ../shared/fixtures/solana-mainnet
(each copy with its own signature, a later slot and block time), tracks every
mint they touch, and runs them through `index_batch` — the indexing job's own
code path (classify, transaction and event rows, holders, trades, candles,
market, supply, involvement, all in one database transaction per batch) minus
the RPC fetch — in batches on one process. The rows it stored are then copied
out and COPYed into empty tables of the same shape (indexes included) in the
same run: the ratio says how close to raw PostgreSQL ingest the indexer gets.
It works in a scratch database (`momentum_bench`) on the DATABASE_URL server.
"""
from __future__ import annotations

import argparse
import io
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

FIXTURES = Path(os.environ.get("FIXTURES", ROOT.parent / "shared" / "fixtures" / "solana-mainnet"))
TABLES = ("chain_transactions", "chain_events", "holder_accounts", "token_trades", "token_candles",
          "token_markets", "token_wallet_days")
SOL = "So11111111111111111111111111111111111111112"


def scratch_database(url: str, name: str) -> str:
    import psycopg
    from sqlalchemy.engine import make_url

    base = make_url(url)
    admin = base.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return base.set(database=name).render_as_string(hide_password=False)


def load_fixtures() -> list[dict[str, Any]]:
    paths = sorted(p for p in FIXTURES.glob("*/*.json") if not p.name.endswith(".expected.json"))
    if not paths:
        raise SystemExit(f"no fixtures under {FIXTURES}")
    return [json.loads(p.read_text()) for p in paths]


def replicate(fixtures: list[dict[str, Any]], count: int) -> list[dict[str, Any]]:
    """`count` transactions: fixtures in turn, each with a fresh signature, a later slot and time."""
    from solders.signature import Signature

    copies = []
    for i in range(count):
        raw = fixtures[i % len(fixtures)]
        envelope = raw["transaction"]
        copies.append({**raw, "slot": 300_000_000 + i // 4, "blockTime": 1_740_000_000 + i // 8,
                       "transaction": {**envelope, "signatures": [str(Signature.new_unique()), *envelope["signatures"][1:]]}})
    return copies


def fixture_mints(fixtures: list[dict[str, Any]]) -> dict[str, int]:
    mints: dict[str, int] = {}
    for raw in fixtures:
        meta = raw["meta"]
        for entry in (meta.get("preTokenBalances") or []) + (meta.get("postTokenBalances") or []):
            if entry["mint"] != SOL:
                mints[entry["mint"]] = int(entry["uiTokenAmount"]["decimals"])
    return mints


def run(count: int, batch: int) -> None:
    from flask_migrate import upgrade

    from webapp import create_app
    from webapp.chain.classify import PlatformWallets
    from webapp.extensions import db
    from webapp.models import Token
    from webapp.services.indexer.store import index_batch
    from webapp.services.indexer.transactions import prepare

    url = scratch_database(os.environ["DATABASE_URL"], "momentum_bench")
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "LOG_LEVEL": "WARNING"})
    fixtures = load_fixtures()
    transactions = replicate(fixtures, count)
    mints = fixture_mints(fixtures)
    with app.app_context():
        upgrade()
        for mint, decimals in mints.items():
            db.session.add(Token(mint=mint, decimals=decimals, supply=10**18, supply_slot=0))
        db.session.commit()

        started = time.perf_counter()
        for tx in transactions[:5000]:
            prepare(tx, set(mints), PlatformWallets())
        classify_rate = 5000 / (time.perf_counter() - started)

        started = time.perf_counter()
        for start in range(0, count, batch):
            result = index_batch(transactions[start:start + batch])
            assert not result.failed, result.failed
        index_seconds = time.perf_counter() - started
        events = db.session.execute(db.text("SELECT count(*) FROM chain_events")).scalar()
        copy_seconds, rows = copy_same_rows(db.engine.raw_connection().driver_connection)
    index_rate, copy_rate = count / index_seconds, count / copy_seconds
    print(f"transactions: {count:,} ({len(fixtures)} mainnet fixtures replicated), {events:,} events, "
          f"{len(mints)} tracked mints, batches of {batch}")
    print(f"classify only (prepare):  {classify_rate:10,.0f} tx/s")
    print(f"index_batch (one worker): {index_rate:10,.0f} tx/s   ({index_seconds:.2f} s)")
    print(f"raw COPY of the same {rows:,} rows: {copy_rate:10,.0f} tx/s   ({copy_seconds:.2f} s)")
    print(f"ratio index_batch / COPY: {index_rate / copy_rate:.3f}")


def copy_same_rows(conn: Any) -> tuple[float, int]:
    """COPY the rows the indexer stored into empty tables of the same shape; returns (seconds, rows)."""
    dumps: dict[str, bytes] = {}
    with conn.cursor() as cur:
        for table in TABLES:
            buffer = io.BytesIO()
            with cur.copy(f"COPY {table} TO STDOUT") as copy:
                for data in copy:
                    buffer.write(data)
            dumps[table] = buffer.getvalue()
            cur.execute(f"CREATE TABLE copy_{table} (LIKE {table} INCLUDING ALL)")
        conn.commit()
        rows = sum(dump.count(b"\n") for dump in dumps.values())
        started = time.perf_counter()
        for table in TABLES:
            with cur.copy(f"COPY copy_{table} FROM STDIN") as copy:
                copy.write(dumps[table])
        conn.commit()
        return time.perf_counter() - started, rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--transactions", type=int, default=50_000)
    parser.add_argument("--batch", type=int, default=1000)
    args = parser.parse_args()
    run(args.transactions, args.batch)


if __name__ == "__main__":
    main()
