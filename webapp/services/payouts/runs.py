"""Starting, following and retrying payout runs."""
from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from sqlalchemy import ColumnElement, func, select

from webapp.extensions import db, solana_client
from webapp.models import Payout, PayoutRun, PayoutStatus, User
from webapp.services import audit, platform_wallets
from webapp.services.payouts.engine import run_payouts
from webapp.services.payouts.rpc_gateway import RpcChainGateway


@dataclass(frozen=True)
class RunProgress:
    total: int
    pending: int
    in_flight: int
    confirmed: int
    failed: int

    @property
    def done(self) -> int:
        return self.confirmed + self.failed


def chain_gateway() -> RpcChainGateway:
    return RpcChainGateway(solana_client())


def execute_run(wallet_name: str | None = None) -> PayoutRun:
    """Pay everything pending from one platform wallet (what the worker job runs)."""
    name = wallet_name or str(current_app.config["PAYOUT_WALLET"])
    signer = platform_wallets.keystore().keypair(name)
    return run_payouts(
        name,
        signer,
        chain_gateway(),
        priority_micro_lamports=int(current_app.config["PAYOUT_PRIORITY_MICRO_LAMPORTS"]),
        batches_per_commit=int(current_app.config["PAYOUT_BATCHES_PER_COMMIT"]),
    )


def enqueue_run(wallet_name: str | None = None) -> str:
    from rq import Queue

    from webapp.extensions import redis_client

    queue = Queue("default", connection=redis_client())
    job = queue.enqueue("worker.jobs.run_payouts", wallet_name, job_timeout=3600)
    return str(job.id)


def progress(run: PayoutRun) -> RunProgress:
    return _progress(Payout.run_id == run.id)


def progress_for_wallet(wallet_name: str) -> RunProgress:
    return _progress(Payout.wallet_name == wallet_name)


def _progress(condition: ColumnElement[bool]) -> RunProgress:
    counts = dict(
        db.session.execute(select(Payout.status, func.count()).where(condition).group_by(Payout.status)).all()
    )
    return RunProgress(
        total=sum(counts.values()),
        pending=counts.get(PayoutStatus.PENDING.value, 0),
        in_flight=counts.get(PayoutStatus.IN_FLIGHT.value, 0),
        confirmed=counts.get(PayoutStatus.CONFIRMED.value, 0),
        failed=counts.get(PayoutStatus.FAILED.value, 0),
    )


def retry_failed(payout_ids: list[int], actor: User | None, ip_address: str | None = None) -> int:
    """Put failed rows back to pending so the next run tries them again; audited."""
    rows = list(
        db.session.scalars(select(Payout).where(Payout.id.in_(payout_ids), Payout.status == PayoutStatus.FAILED.value))
    )
    for row in rows:
        row.status = PayoutStatus.PENDING.value
        row.failure_reason = None
        row.signature = None
    if rows:
        audit.record(actor, "payout.retried", target_type="payout", target_id=",".join(str(r.id) for r in rows)[:64],
                     details={"count": len(rows)}, ip_address=ip_address)
    db.session.commit()
    return len(rows)
