"""Payout engine throughput: pay N recipients on the local chain, exactly once.

    .venv/bin/python -m webapp.embedded exec -- .venv/bin/python bench/payout_throughput.py --recipients 10000

Starts a local chain (400 ms slots, finalized 8 slots later), a fresh
`momentum_bench` database on the server DATABASE_URL names, creates and funds
a payout wallet, asks for N payouts and times the engine until every row is
finalized. Side by side in the same run, the same number of transfers is sent
by a bare loop (same batching, same chain, no database, no bookkeeping) and
confirmed at finalized: the ratio is what exactly-once bookkeeping costs.
"""
from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from pathlib import Path

import psycopg
from prometheus_client import CollectorRegistry
from solders.keypair import Keypair
from solders.pubkey import Pubkey

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from webapp.chain import spl  # noqa: E402
from webapp.chain.localnet.process import LocalChainProcess  # noqa: E402
from webapp.chain.rpc import SolanaRpcClient  # noqa: E402
from webapp.chain.transfers import TokenTransfer, batch_transfer_transaction  # noqa: E402

DECIMALS = 6
DATABASE = "momentum_bench"


def fresh_database() -> str:
    base = os.environ["DATABASE_URL"].replace("postgresql+psycopg://", "postgresql://", 1)
    head, _, tail = base.partition("?")
    admin = head.rsplit("/", 1)[0] + "/postgres" + ("?" + tail if tail else "")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DATABASE}"')
    return (head.rsplit("/", 1)[0] + f"/{DATABASE}" + ("?" + tail if tail else "")).replace(
        "postgresql://", "postgresql+psycopg://", 1)


def mint_and_fund(client: SolanaRpcClient, holders: list, supply: int):  # type: ignore[no-untyped-def]
    """A new mint whose supply is split between `holders` (funded with SOL too)."""
    minter, mint = Keypair(), Keypair()
    client.confirm(client.request_airdrop(minter.pubkey(), 10**11))
    rent = client.get_minimum_balance_for_rent_exemption(spl.MINT_SIZE)
    ixs = spl.create_mint(minter.pubkey(), mint.pubkey(), minter.pubkey(), DECIMALS, rent)
    for holder in holders:
        client.confirm(client.request_airdrop(holder, 10**11))
        ixs += spl.mint_to(minter.pubkey(), mint.pubkey(), minter.pubkey(), holder, supply // len(holders), DECIMALS)
    client.confirm(client.send_transaction(spl.sign(ixs, minter, client.get_latest_blockhash().blockhash, [mint])))
    return mint.pubkey()


def bare_loop(client: SolanaRpcClient, sender: Keypair, mint, amounts: list[int], per_tx: int) -> float:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    signatures = []
    for start in range(0, len(amounts), per_tx):
        transfers = [TokenTransfer(Keypair().pubkey(), a) for a in amounts[start:start + per_tx]]
        blockhash = client.get_latest_blockhash("finalized").blockhash
        signatures.append(client.send_transaction(batch_transfer_transaction(sender, mint, DECIMALS, transfers, blockhash)))
    for signature in signatures:
        client.confirm(signature, "finalized", timeout=120, poll_interval=0.2)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--recipients", type=int, default=10_000)
    args = parser.parse_args()
    from webapp import create_app
    from webapp.services import platform_wallets
    from webapp.services.payouts import engine, runs
    from webapp.services.payouts.requests import PayoutRequest, request_payouts

    rng = random.Random(1)
    amounts = [rng.randint(1, 10**6) for _ in range(args.recipients)]
    with tempfile.TemporaryDirectory(prefix="payout-bench-") as folder:
        chain = LocalChainProcess(Path(folder) / "ledger")
        chain.start()
        app = create_app({"SQLALCHEMY_DATABASE_URI": fresh_database(), "SOLANA_RPC_URLS": [chain.rpc_url],
                          "WALLET_KEYSTORE_PATH": f"{folder}/keystore.json", "WALLET_KEYSTORE_PASSPHRASE": "bench",
                          "LOG_LEVEL": "WARNING"})
        client = SolanaRpcClient([chain.rpc_url], registry=CollectorRegistry())
        try:
            with app.app_context():
                from flask_migrate import upgrade

                upgrade()
                wallet = platform_wallets.create_wallet("payout_hot")
                bare_sender = Keypair()
                mint = mint_and_fund(client, [Pubkey.from_string(wallet.address), bare_sender.pubkey()], 4 * sum(amounts))
                request_payouts([PayoutRequest("payout_hot", str(Keypair().pubkey()), str(mint), a, "pool", "bench",
                                               f"bench:{i}") for i, a in enumerate(amounts)], runs.chain_gateway())
                started = time.perf_counter()
                run = runs.execute_run("payout_hot")
                engine_seconds = time.perf_counter() - started
                progress = runs.progress(run)
                assert progress.confirmed == args.recipients, progress
            bare_seconds = bare_loop(client, bare_sender, mint, amounts, engine.TRANSFERS_PER_TRANSACTION)
        finally:
            client.close()
            chain.stop()
    transactions = -(-args.recipients // engine.TRANSFERS_PER_TRANSACTION)
    print(f"recipients: {args.recipients}, transfers per transaction: {engine.TRANSFERS_PER_TRANSACTION}, "
          f"transactions: {transactions}")
    print(f"payout engine (exactly once, finalized): {engine_seconds:.1f} s = "
          f"{args.recipients / engine_seconds:,.0f} recipients/s, {transactions / engine_seconds:,.1f} tx/s")
    print(f"bare send loop (no bookkeeping):         {bare_seconds:.1f} s = "
          f"{args.recipients / bare_seconds:,.0f} recipients/s, {transactions / bare_seconds:,.1f} tx/s")
    print(f"ratio engine / bare loop throughput:     {bare_seconds / engine_seconds:.2f}")


if __name__ == "__main__":
    main()
