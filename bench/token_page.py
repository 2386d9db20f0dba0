"""Token page throughput: /tokens/<mint> (50 trades, 20 holders, a 60-candle chart, a curve) vs hello-world Flask.

    .venv/bin/python -m webapp.embedded exec -- .venv/bin/python bench/token_page.py

Both apps run under the project's gunicorn.conf.py (gevent, 2 workers) on this
machine, one after the other, and wrk (Debian's package) loads each with 50
connections for 15 s: the ratio of requests per second and the p99 latency are
printed side by side for three rounds, with the median ratio. Data lives in a scratch database `momentum_bench_page`.
"""
from __future__ import annotations

import os
import random
import re
import statistics
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import httpx
import psycopg
from solders.keypair import Keypair

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATABASE = "momentum_bench_page"


def scratch_database() -> str:
    base = os.environ["DATABASE_URL"].replace("postgresql+psycopg://", "postgresql://", 1)
    head, _, query = base.partition("?")
    server = head.rsplit("/", 1)[0]
    suffix = f"?{query}" if query else ""
    with psycopg.connect(f"{server}/postgres{suffix}", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DATABASE}"')
    return f"{server}/{DATABASE}{suffix}".replace("postgresql://", "postgresql+psycopg://", 1)


def seed(url: str) -> str:
    """One token with 50 trades, 20 holders, 60 five-minute candles and a market row."""
    from flask_migrate import upgrade

    from webapp import create_app
    from webapp.extensions import db
    from webapp.models import BondingCurve, Candle, HolderAccount, IndexedTransaction, Token, TokenMarket, TokenTrade
    from webapp.services.bonding_curve import CurveParams, CurveState

    rng = random.Random(3)
    mint = str(Keypair().pubkey())
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "LOG_LEVEL": "WARNING"})
    now = datetime.now(timezone.utc)
    with app.app_context():
        upgrade()
        db.session.add(Token(mint=mint, name="Bench Token", symbol="BNCH", decimals=6, supply=10**15, supply_slot=0,
                             program="token", tier="wild_fires"))
        for i in range(50):
            tx = IndexedTransaction(signature=f"{i:0>64}", slot=1000 + i, block_time=now - timedelta(minutes=50 - i),
                                    fee_payer=str(Keypair().pubkey()), fee=5000, mints=[mint], token_accounts=[])
            db.session.add(tx)
            db.session.flush()
            db.session.add(TokenTrade(transaction_id=tx.id, signature=tx.signature, position=0, mint=mint,
                                      wallet=tx.fee_payer, side=rng.choice(["buy", "sell"]),
                                      token_amount=rng.randint(10**9, 10**12), sol_amount=rng.randint(10**6, 10**9),
                                      slot=tx.slot, block_time=tx.block_time))
        for i in range(20):
            db.session.add(HolderAccount(account=str(Keypair().pubkey()), mint=mint, owner=str(Keypair().pubkey()),
                                         amount=rng.randint(10**9, 10**13), slot=1000))
        for i in range(60):
            o, c = rng.randint(30, 40), rng.randint(30, 40)
            db.session.add(Candle(mint=mint, interval_seconds=300, starts_at=now - timedelta(minutes=5 * (60 - i)),
                                  open_lamports=o, open_units=10**6, open_slot=1, open_signature="o",
                                  high_lamports=max(o, c) + 2, high_units=10**6, low_lamports=min(o, c) - 2,
                                  low_units=10**6, close_lamports=c, close_units=10**6, close_slot=2,
                                  close_signature="c", volume_lamports=10**9, volume_units=10**12, trades=3))
        state = CurveState.initial(CurveParams.DEFAULT)
        params = CurveParams.DEFAULT
        db.session.add(BondingCurve(  # a curve a quarter sold: the page draws its progress and trade panel
            mint=mint, vault_wallet="curve_bench", pool_wallet="pool_bench", phase="curve",
            virtual_sol=params.virtual_sol, virtual_tokens=params.virtual_tokens, sellable_tokens=params.sellable_tokens,
            total_supply=params.total_supply, fee_bps=params.fee_bps, graduation_fee_lamports=params.graduation_fee_lamports,
            virtual_sol_reserves=state.virtual_sol_reserves + 10 * 10**9,
            virtual_token_reserves=state.virtual_token_reserves - 200 * 10**12, real_sol_reserves=10 * 10**9,
            real_token_reserves=state.real_token_reserves - 200 * 10**12, tokens_sold=200 * 10**12,
            curve_fees_lamports=10**8, pool_fees_lamports=0))
        db.session.add(TokenMarket(mint=mint, price_lamports=35, price_units=10**6, price_slot=1049,
                                   price_signature="p", market_cap_lamports=35 * 10**9, trades=50))
        db.session.commit()
    return mint


def serve(module: str, port: int, env: dict[str, str]) -> subprocess.Popen[bytes]:
    process = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", module],
                               cwd=ROOT, env={**env, "BIND": f"127.0.0.1:{port}", "LOG_LEVEL": "WARNING"},
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(200):
        try:
            httpx.get(f"http://127.0.0.1:{port}/", timeout=1)
            return process
        except httpx.HTTPError:
            time.sleep(0.1)
    raise RuntimeError(f"{module} did not start")


def load(url: str, seconds: int = 15) -> tuple[float, float]:
    """wrk with 50 connections: (requests per second, p99 latency in ms)."""
    out = subprocess.run(["wrk", "-t2", "-c50", f"-d{seconds}s", "--latency", url], capture_output=True, text=True,
                         check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    value, unit = re.search(r"99%\s+([\d.]+)(us|ms|s)", out).groups()
    return rate, float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]


def measure(module: str, port: int, path: str, env: dict[str, str]) -> tuple[float, float]:
    """Start one app under gunicorn.conf.py, load it, stop it: (req/s, p99 ms)."""
    process = serve(module, port, env)
    try:
        return load(f"http://127.0.0.1:{port}{path}")
    finally:
        process.terminate()
        process.wait()


ROUNDS = 3


def main() -> None:
    url = scratch_database()
    mint = seed(url)
    env = {**os.environ, "DATABASE_URL": url}
    check = serve("wsgi:app", 5101, env)
    try:
        body = httpx.get(f"http://127.0.0.1:5101/tokens/{mint}").text
        assert ("badge-buy" in body or "badge-sell" in body) and "<svg" in body and "trade-panel" in body, \
            "the page did not render its data"
    finally:
        check.terminate()
        check.wait()
    print("gunicorn.conf.py (gevent, 2 workers), wrk -t2 -c50 -d15s, same machine; page then hello world, each round")
    ratios = []
    for round_number in range(1, ROUNDS + 1):
        page_rate, page_p99 = measure("wsgi:app", 5101, f"/tokens/{mint}", env)
        hello_rate, hello_p99 = measure("bench.hello_app:app", 5102, "/", env)
        ratios.append(page_rate / hello_rate)
        print(f"round {round_number}: /tokens/<mint> {page_rate:8,.0f} req/s  p99 {page_p99:6.1f} ms | "
              f"hello world {hello_rate:8,.0f} req/s  p99 {hello_p99:6.1f} ms | ratio {ratios[-1]:.2f}")
    print(f"median ratio token page / hello world over {ROUNDS} rounds: {statistics.median(ratios):.2f}")


if __name__ == "__main__":
    main()
