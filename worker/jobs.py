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


def index_signatures(signatures: list[str], address: str | None = None) -> dict[str, object]:
    """Fetch and index transactions by signature; after the last retry, failures become dead letters."""
    from webapp.chain.rpc import SolanaUnavailable
    from webapp.extensions import db, solana_client
    from webapp.services.indexer import dead_letters, fetching

    try:
        result = fetching.index_signatures(signatures, solana_client(), address=address)
    except Exception as error:
        db.session.rollback()  # the worker keeps one session across jobs: leave it clean
        job = get_current_job()
        if not isinstance(error, SolanaUnavailable) or (job is not None and job.retries_left):
            raise  # RQ retries the whole job later (indexing is idempotent)
        dead_letters.record({signature: f"chain unavailable: {error}" for signature in signatures}, address)
        db.session.commit()
        return {"indexed": 0, "failed": len(signatures)}
    return {"indexed": len(result.indexed), "already": len(result.already), "failed": len(result.failed)}


def finalize_transactions() -> dict[str, object]:
    """Mark indexed transactions finalized; undo those the chain dropped."""
    from webapp.extensions import solana_client
    from webapp.services.indexer import finality

    report = finality.finalize(solana_client())
    return {"finalized": report.finalized, "removed": report.removed}


def reconcile_holders(mint: str | None = None) -> dict[str, object]:
    """Compare indexed holder balances with the chain, for one mint or every tracked mint."""
    from webapp.extensions import solana_client
    from webapp.services.indexer import reconcile

    client = solana_client()
    runs = [reconcile.reconcile(client, mint)] if mint else reconcile.reconcile_all(client)
    return {run.mint: run.mismatches for run in runs}


def launch_token(application_id: int) -> dict[str, object]:
    """Create an approved application's mint on chain; a failure is recorded for the admin to retry."""
    from webapp.extensions import db, solana_client
    from webapp.models import LaunchApplication, LaunchStatus
    from webapp.services import launches

    application = db.session.get(LaunchApplication, application_id)
    if application is None or application.status != LaunchStatus.APPROVED.value:
        return {"skipped": True}
    try:
        launches.launch(application, solana_client())
    except Exception as error:
        db.session.rollback()
        application = db.session.get(LaunchApplication, application_id)
        if application is not None:  # deleted meanwhile: nothing to mark, the error is still raised
            application.status = LaunchStatus.FAILED.value
            application.failure = f"{type(error).__name__}: {error}"[:1000]
            db.session.commit()
        raise
    return {"mint": application.mint, "created": application.created_signature,
            "supply_fixed": application.supply_fixed_signature}


def release_vesting() -> dict[str, object]:
    """Ask for every vested team release, then pay each escrow through the payout engine."""
    from webapp.services import vesting_releases
    from webapp.services.payouts import runs

    gateway = runs.chain_gateway()
    paid: dict[str, str] = {}
    for application in vesting_releases.launched_stable_grounds():
        if vesting_releases.request_due_releases(application, gateway):
            paid[application.symbol] = runs.execute_run(f"escrow_{application.id}").status
    return {"runs": paid}


def graduate_curve(mint: str) -> dict[str, object]:
    """Open the liquidity pool of a sold-out curve, exactly once."""
    from webapp.extensions import solana_client
    from webapp.services.trading import graduation

    return {"signature": graduation.graduate(mint, solana_client())}


def graduate_waiting_curves() -> dict[str, object]:
    """Graduate curves left sold out because their queued job was lost."""
    from webapp.extensions import solana_client
    from webapp.services.trading import graduation

    return {"signatures": graduation.graduate_waiting(solana_client())}


def settle_trade_orders() -> dict[str, object]:
    """Settle trades, stakes and contributions left sent (their member's request ended first); expire unsigned ones."""
    from webapp.extensions import solana_client
    from webapp.services.staking import deposits
    from webapp.services.trading import orders

    client = solana_client()
    return {"settled": orders.settle_open_orders(client), "deposits": deposits.settle_open_deposits(client)}


def rank_discussions() -> dict[str, object]:
    """Recompute the hot rank of recent discussions (their order decays with time, not only with activity)."""
    from webapp.services.community import trending

    return {"ranked": trending.rank_recent()}
