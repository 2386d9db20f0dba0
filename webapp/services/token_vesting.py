"""The vesting panel of a Stable Grounds token page: schedule, released, and the escrow read from chain."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import select

from webapp.chain.rpc import SolanaRpcError, SolanaUnavailable
from webapp.extensions import db, solana_client
from webapp.models import LaunchApplication
from webapp.services import platform_wallets, vesting_chart, vesting_releases


@dataclass(frozen=True)
class VestingPanel:
    total: int
    released: int
    locked: int
    next_unlock: datetime | None
    next_amount: int
    escrow_address: str
    escrow_on_chain: int | None  # None when the chain could not be read
    chart: vesting_chart.VestingPreview | str

    @property
    def locked_on_chain(self) -> bool:
        return self.escrow_on_chain is not None and self.escrow_on_chain >= self.locked


def panel(mint: str) -> VestingPanel | None:
    application = db.session.scalar(select(LaunchApplication).where(
        LaunchApplication.mint == mint, LaunchApplication.tier == "stable_grounds",
        LaunchApplication.status == "launched"))
    if application is None:
        return None
    status = vesting_releases.vesting_status(application)
    escrow = platform_wallets.wallet_by_name(f"escrow_{application.id}")
    held = None
    if escrow is not None and current_app.config["SOLANA_RPC_URLS"]:
        try:
            held = sum(h.amount for h in solana_client().get_token_accounts_by_owner(escrow.address, mint=mint))
        except (SolanaRpcError, SolanaUnavailable):
            held = None
    chart = vesting_chart.render_vesting_preview(application.cliff_days, application.vesting_days,
                                                 application.unlock_period_days, start=application.launched_at)
    return VestingPanel(int(status["total"]), int(status["released"]), int(status["locked"]), status["next_unlock"],
                        int(status["next_amount"]), escrow.address if escrow else "", held, chart)
