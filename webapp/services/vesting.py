"""Tier 2 "Stable Grounds" team vesting: a cliff, then a linear unlock per period.

Nothing vests before `start + cliff`. From then on the vested amount is the
allocation times the whole periods elapsed over the duration, rounded down;
at `start + duration` and after, the whole allocation has vested. Rounding
down only delays units, so the last unlock releases the rest and every
allocation is released exactly, in integer base units.

A team's allocation is split among wallets by weight with the largest
remainder method; each wallet then vests its own part on the same schedule,
so each wallet's releases sum to its part and the parts sum to the total.
"""
from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar

from webapp.services.payouts.splits import largest_remainder_split

Wallet = TypeVar("Wallet", bound=Hashable)

MAX_UNLOCK_PERIODS = 100_000
_MICROSECOND = timedelta(microseconds=1)


class VestingError(ValueError):
    """A schedule, split or release the rules refuse; the message says why."""


@dataclass(frozen=True)
class VestingSchedule:
    """`total` base units vesting from `start`: nothing before the cliff, then
    linear per whole `period`, all of it at `start + duration`."""

    total: int
    start: datetime
    cliff: timedelta
    duration: timedelta
    period: timedelta

    def __post_init__(self) -> None:
        if self.total <= 0:
            raise VestingError("The vested total must be a positive number of base units.")
        _require_aware(self.start, "The start")
        if self.duration <= timedelta(0):
            raise VestingError("The vesting duration must be positive.")
        if self.cliff < timedelta(0):
            raise VestingError("The cliff cannot be negative.")
        if self.cliff > self.duration:
            raise VestingError("The cliff cannot be longer than the vesting duration.")
        if self.period <= timedelta(0):
            raise VestingError("The unlock period must be positive.")
        if self.period > self.duration:
            raise VestingError("The unlock period cannot be longer than the vesting duration.")
        if self.duration // self.period > MAX_UNLOCK_PERIODS:
            raise VestingError(f"The unlock period is too short: at most {MAX_UNLOCK_PERIODS} unlocks.")

    @property
    def cliff_at(self) -> datetime:
        return self.start + self.cliff

    @property
    def end(self) -> datetime:
        return self.start + self.duration


def _require_aware(moment: datetime, what: str) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise VestingError(f"{what} must be a timezone-aware datetime.")


def _vested_part(allocation: int, schedule: VestingSchedule, at: datetime) -> int:
    """How much of `allocation` has vested at `at` under the schedule's rule."""
    _require_aware(at, "The moment")
    if at < schedule.cliff_at:
        return 0
    if at >= schedule.end:
        return allocation
    # timedelta // timedelta is exact integer division (in microseconds), never float.
    vested_time = (at - schedule.start) // schedule.period * schedule.period
    return allocation * (vested_time // _MICROSECOND) // (schedule.duration // _MICROSECOND)


def vested_amount(schedule: VestingSchedule, at: datetime) -> int:
    """Base units vested at `at`: 0 before the cliff, floor(linear per whole period), the total at the end."""
    return _vested_part(schedule.total, schedule, at)


def unlock_times(schedule: VestingSchedule) -> list[datetime]:
    """Every moment at which an allocation on this schedule may vest more:
    the cliff, each period boundary after it, and the end."""
    times = [schedule.cliff_at]
    boundary = (schedule.cliff // schedule.period + 1) * schedule.period
    while boundary < schedule.duration:
        times.append(schedule.start + boundary)
        boundary += schedule.period
    if schedule.end != times[-1]:
        times.append(schedule.end)
    return times


def unlock_events(schedule: VestingSchedule) -> list[tuple[datetime, int]]:
    """(moment, units released then) for each moment the vested amount grows; sums to the total."""
    events: list[tuple[datetime, int]] = []
    released = 0
    for moment in unlock_times(schedule):
        vested = vested_amount(schedule, moment)
        if vested > released:
            events.append((moment, vested - released))
            released = vested
    return events


def next_unlock(schedule: VestingSchedule, at: datetime) -> tuple[datetime, int] | None:
    """The first unlock strictly after `at`, or None when everything has vested."""
    _require_aware(at, "The moment")
    return next(((moment, amount) for moment, amount in unlock_events(schedule) if moment > at), None)


def split_among(total: int, shares: Sequence[tuple[Wallet, int]]) -> dict[Wallet, int]:
    """Split `total` units by integer weight, exactly (largest remainder).

    Each wallet gets the floor of its exact share; the units left over go one
    each to the largest remainders, earlier wallets first on ties.
    """
    if total < 0:
        raise VestingError("The amount to split cannot be negative.")
    wallets = [wallet for wallet, _ in shares]
    if len(set(wallets)) != len(wallets):
        raise VestingError("Each wallet may appear only once in the shares.")
    if any(weight < 0 for _, weight in shares):
        raise VestingError("Share weights cannot be negative.")
    if sum(weight for _, weight in shares) <= 0:
        raise VestingError("At least one wallet needs a positive share.")
    return dict(largest_remainder_split(total, list(shares)))


def team_release(
    schedule: VestingSchedule,
    shares: Sequence[tuple[Wallet, int]],
    already_released_per_wallet: Mapping[Wallet, int],
    at: datetime,
) -> dict[Wallet, int]:
    """Units due to each wallet at `at`: its allocation vested by then minus what it already got."""
    allocations = split_among(schedule.total, shares)
    unknown = set(already_released_per_wallet) - set(allocations)
    if unknown:
        raise VestingError(f"Releases recorded for wallets outside the team: {sorted(map(str, unknown))}.")
    due: dict[Wallet, int] = {}
    for wallet, allocation in allocations.items():
        vested = _vested_part(allocation, schedule, at)
        released = already_released_per_wallet.get(wallet, 0)
        if released < 0 or released > vested:
            raise VestingError(f"Wallet {wallet} has {released} units released but only {vested} vested.")
        due[wallet] = vested - released
    return due
