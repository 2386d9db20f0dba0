"""Releasing vested team tokens from a Stable Grounds escrow, through the payout engine."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TypedDict

from sqlalchemy import func, select

from webapp.extensions import db
from webapp.models import LaunchApplication, LaunchStatus, Payout, PayoutReason
from webapp.services import launches
from webapp.services.payouts.gateway import ChainGateway
from webapp.services.payouts.requests import PayoutRequest, request_payouts
from webapp.services.vesting import VestingSchedule, team_release, unlock_times, vested_amount


def schedule_of(application: LaunchApplication) -> VestingSchedule:
    """The escrowed team allocation, vesting from the launch."""
    if application.tier != "stable_grounds" or application.launched_at is None:
        raise ValueError("Only launched Stable Grounds tokens have a vesting schedule.")
    return VestingSchedule(
        total=launches.allocations(application)[f"escrow_{application.id}"], start=application.launched_at,
        cliff=timedelta(days=application.cliff_days), duration=timedelta(days=application.vesting_days),
        period=timedelta(days=application.unlock_period_days),
    )


def released_so_far(application: LaunchApplication) -> dict[str, int]:
    """Per team wallet: every vesting payout asked for (paid or on its way), so nothing is asked twice."""
    rows = db.session.execute(
        select(Payout.recipient, func.sum(Payout.amount))
        .where(Payout.reason == PayoutReason.VESTING.value, Payout.source_ref == f"launch:{application.id}")
        .group_by(Payout.recipient)
    ).all()
    return {recipient: int(amount) for recipient, amount in rows}


def request_due_releases(application: LaunchApplication, chain: ChainGateway,
                         now: datetime | None = None) -> list[Payout]:
    """Payout rows for what has vested and not been released; keyed by unlock moment, so reruns add nothing."""
    now = now or datetime.now(UTC)
    schedule = schedule_of(application)
    reached = [moment for moment in unlock_times(schedule) if moment <= now]
    if not reached:
        return []
    shares = [(str(wallet), int(weight)) for wallet, weight in application.team_wallets]
    due = team_release(schedule, shares, released_so_far(application), reached[-1])
    key = reached[-1].isoformat()
    return request_payouts([
        PayoutRequest(f"escrow_{application.id}", wallet, str(application.mint), amount, PayoutReason.VESTING.value,
                      f"launch:{application.id}", f"vesting:{application.id}:{wallet}:{key}")
        for wallet, amount in due.items() if amount > 0
    ], chain)


class VestingStatus(TypedDict):
    total: int
    vested: int
    released: int
    locked: int
    next_unlock: datetime | None
    next_amount: int
    schedule: VestingSchedule


def vesting_status(application: LaunchApplication, now: datetime | None = None) -> VestingStatus:
    """Figures for the token page: locked, released, next unlock."""
    now = now or datetime.now(UTC)
    schedule = schedule_of(application)
    released = sum(released_so_far(application).values())
    upcoming = [moment for moment in unlock_times(schedule) if moment > now]
    next_moment = upcoming[0] if upcoming else None
    return {
        "total": schedule.total, "vested": vested_amount(schedule, now), "released": released,
        "locked": schedule.total - released, "next_unlock": next_moment,
        "next_amount": (vested_amount(schedule, next_moment) - vested_amount(schedule, now)) if next_moment else 0,
        "schedule": schedule,
    }


def launched_stable_grounds() -> list[LaunchApplication]:
    return list(db.session.scalars(select(LaunchApplication).where(
        LaunchApplication.tier == "stable_grounds", LaunchApplication.status == LaunchStatus.LAUNCHED.value)))
