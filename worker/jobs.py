"""RQ jobs: thin wrappers that load their own data and call webapp.services."""
from __future__ import annotations

from rq import get_current_job

from webapp.services.payouts import runs


def run_payouts(wallet_name: str | None = None) -> dict[str, object]:
    """Pay every pending payout of a platform wallet, exactly once."""
    run = runs.execute_run(wallet_name)
    job = get_current_job()
    if job is not None:
        job.meta["run_id"] = run.id
        job.save_meta()
    return {"run_id": run.id, "status": run.status, "halt_reason": run.halt_reason}
