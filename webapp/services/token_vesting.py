"""The vesting panel of a Stable Grounds token page: schedule, released, and the escrow as indexed and verified.

The page reads the escrow's balance from the index, never from the chain:
reconciliation compares the index with the chain on a schedule, and the
panel says "locked on chain" only as far as the last completed comparison
confirmed it (and says when that was).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from webapp.extensions import db
from webapp.models import LaunchApplication
from webapp.services import platform_wallets, vesting_chart, vesting_releases
from webapp.services.indexer import reads, reconcile


@dataclass(frozen=True)
class VestingPanel:
    total: int
    released: int
    locked: int
    next_unlock: datetime | None
    next_amount: int
    escrow_address: str
    escrow_held: int  # the escrow's indexed balance of the token
    escrow_check: reconcile.OwnerCheck  # what the last reconciliation found for the escrow
    chart: vesting_chart.VestingPreview | str

    @property
    def covers_locked(self) -> bool:
        """The indexed escrow holds at least what is still locked."""
        return self.escrow_held >= self.locked

    @property
    def locked_on_chain(self) -> bool:
        """Held in escrow per the index, and the chain agreed with the index when last compared."""
        return self.covers_locked and self.escrow_check.verified


def panel(mint: str) -> VestingPanel | None:
    application = db.session.scalar(select(LaunchApplication).where(
        LaunchApplication.mint == mint, LaunchApplication.tier == "stable_grounds",
        LaunchApplication.status == "launched"))
    if application is None:
        return None
    status = vesting_releases.vesting_status(application)
    escrow = platform_wallets.wallet_by_name(f"escrow_{application.id}")
    address = escrow.address if escrow else ""
    held = reads.balances_of(mint, [address])[address] if address else 0
    check = reconcile.last_check(mint, address) if address else reconcile.OwnerCheck(None, False)
    chart = vesting_chart.render_vesting_preview(application.cliff_days, application.vesting_days,
                                                 application.unlock_period_days, start=application.launched_at)
    return VestingPanel(int(status["total"]), int(status["released"]), int(status["locked"]), status["next_unlock"],
                        int(status["next_amount"]), address, held, check, chart)
