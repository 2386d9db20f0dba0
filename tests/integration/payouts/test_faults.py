"""Fault test: the payout worker is SIGKILLed at random moments, again and again.

Run alone with: make test PYTEST_ARGS=tests/integration/payouts/test_faults.py
Afterwards every recipient holds exactly its amount ON CHAIN (read from the
chain, not the database): no double payment, no missed payment.
"""
from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from solders.keypair import Keypair

from webapp.services.payouts import runs
from webapp.services.payouts.requests import PayoutRequest, request_payouts

ROOT = Path(__file__).resolve().parents[3]
RECIPIENTS = 1000
KILLS = 10


def worker_env(world) -> dict[str, str]:
    config = world.app.config
    return {
        **os.environ,
        "FLASK_APP": "wsgi:app",
        "DATABASE_URL": config["SQLALCHEMY_DATABASE_URI"],
        "REDIS_URL": config["REDIS_URL"],
        "SOLANA_RPC_URLS": ",".join(config["SOLANA_RPC_URLS"]),
        "WALLET_KEYSTORE_PATH": config["WALLET_KEYSTORE_PATH"],
        "WALLET_KEYSTORE_PASSPHRASE": config["WALLET_KEYSTORE_PASSPHRASE"],
        "LOG_LEVEL": "WARNING",
        # Record 3 transactions per commit instead of 50: many more moments to die between
        # recording and sending, so ten kills spread over the whole run.
        "PAYOUT_BATCHES_PER_COMMIT": "3",
    }


def signed_batches(world) -> int:
    from sqlalchemy import func, select

    from webapp.extensions import db
    from webapp.models import PayoutBatch

    with world.app.app_context():
        count = db.session.scalar(select(func.count()).select_from(PayoutBatch))
        db.session.remove()
        return int(count or 0)


def start_worker(env: dict[str, str]) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "flask", "payouts", "run", "--wallet", "payout_hot"]
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def test_sigkilled_worker_pays_everyone_exactly_once(payout_world) -> None:
    world = payout_world
    rng = random.Random(20261124)
    amounts = {str(Keypair().pubkey()): rng.randint(1, 10**6) for _ in range(RECIPIENTS)}
    total = sum(amounts.values())
    # Twice what is owed, so a double payment would show up as surplus, not as a refusal.
    world.fund(2 * total, lamports=RECIPIENTS * 2_100_000 + 10**9)
    with world.app.app_context():
        request_payouts(
            [PayoutRequest("payout_hot", r, str(world.mint), a, "pool", "fault", f"fault:{r}")
             for r, a in amounts.items()],
            runs.chain_gateway(),
        )
    env = worker_env(world)
    kills = 0
    while kills < KILLS:
        before = signed_batches(world)
        worker = start_worker(env)
        # Kill at a random moment after this worker has signed at least one new batch,
        # so every kill lands while payouts are being sent or confirmed.
        while worker.poll() is None and signed_batches(world) == before:
            time.sleep(0.01)
        time.sleep(rng.uniform(0, 0.05))
        if worker.poll() is not None:
            break  # it finished everything before we could kill it
        worker.send_signal(signal.SIGKILL)
        worker.wait()
        kills += 1
    assert kills >= KILLS, f"only {kills} kills landed before the work ran out"
    with world.app.app_context():
        confirmed_before_final_run = runs.progress_for_wallet("payout_hot").confirmed
    assert 0 < confirmed_before_final_run < RECIPIENTS, "the kills must land while payouts are in progress"
    final = start_worker(env)
    assert final.wait(timeout=300) == 0
    paid = {recipient: world.token_balance(recipient) for recipient in amounts}
    wrong = {r: (paid[r], a) for r, a in amounts.items() if paid[r] != a}
    assert not wrong, f"{len(wrong)} recipients hold the wrong amount, e.g. {list(wrong.items())[:3]}"
    assert world.token_balance(world.wallet) == total
