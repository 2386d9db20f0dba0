"""Tier 2 team vesting: cliff, linear unlock per period, exact integer releases per wallet."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from webapp.services.vesting import (
    VestingError,
    VestingSchedule,
    next_unlock,
    split_among,
    team_release,
    unlock_events,
    unlock_times,
    vested_amount,
)

START = datetime(2025, 1, 1, tzinfo=UTC)
MONTH = timedelta(days=30)
TICK = timedelta(microseconds=1)

# 12 "months" of 30 days, a 3-month cliff, monthly unlocks.
YEAR_PLAN = VestingSchedule(total=1_200_000, start=START, cliff=3 * MONTH, duration=12 * MONTH, period=MONTH)


def month(n: int) -> datetime:
    return START + n * MONTH


def test_nothing_vests_before_the_cliff_then_a_twelfth_per_month() -> None:
    assert vested_amount(YEAR_PLAN, START - timedelta(days=1)) == 0
    assert vested_amount(YEAR_PLAN, month(3) - TICK) == 0
    assert vested_amount(YEAR_PLAN, month(3)) == 300_000
    assert vested_amount(YEAR_PLAN, month(4) - TICK) == 300_000
    assert vested_amount(YEAR_PLAN, month(4)) == 400_000
    assert vested_amount(YEAR_PLAN, month(11) + timedelta(days=29)) == 1_100_000
    assert vested_amount(YEAR_PLAN, month(12)) == 1_200_000
    assert vested_amount(YEAR_PLAN, month(40)) == 1_200_000


def test_unlock_events_of_the_year_plan() -> None:
    assert unlock_events(YEAR_PLAN) == [(month(3), 300_000)] + [(month(n), 100_000) for n in range(4, 13)]


def test_rounding_leftovers_come_out_at_the_end() -> None:
    plan = VestingSchedule(total=1_000, start=START, cliff=timedelta(0), duration=timedelta(days=365), period=MONTH)
    events = unlock_events(plan)
    assert events[0] == (month(1), 82)  # floor(1000 * 30 / 365)
    assert vested_amount(plan, month(12)) == 986  # floor(1000 * 360 / 365)
    assert events[-1] == (START + timedelta(days=365), 14)
    assert sum(amount for _, amount in events) == 1_000


def test_next_unlock() -> None:
    assert next_unlock(YEAR_PLAN, START) == (month(3), 300_000)
    assert next_unlock(YEAR_PLAN, month(3)) == (month(4), 100_000)  # the cliff unlock has happened
    assert next_unlock(YEAR_PLAN, month(12) - TICK) == (month(12), 100_000)
    assert next_unlock(YEAR_PLAN, month(12)) is None


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"total": 0}, "positive number"),
        ({"duration": timedelta(0)}, "duration must be positive"),
        ({"cliff": -TICK}, "cliff cannot be negative"),
        ({"cliff": 13 * MONTH}, "cliff cannot be longer"),
        ({"period": timedelta(0)}, "period must be positive"),
        ({"period": 13 * MONTH}, "period cannot be longer"),
        ({"period": timedelta(seconds=1)}, "too short"),
        ({"start": datetime(2025, 1, 1)}, "timezone-aware"),
    ],
)
def test_invalid_schedules_are_refused_with_a_reason(fields: dict[str, Any], message: str) -> None:
    values: dict[str, Any] = {
        "total": 1_200_000, "start": START, "cliff": 3 * MONTH, "duration": 12 * MONTH, "period": MONTH
    }
    with pytest.raises(VestingError, match=message):
        VestingSchedule(**{**values, **fields})


def test_naive_moments_are_refused() -> None:
    with pytest.raises(VestingError, match="timezone-aware"):
        vested_amount(YEAR_PLAN, datetime(2025, 6, 1))


@pytest.mark.parametrize(
    ("total", "weights", "parts"),
    [
        (100, [1, 2, 3, 4], [10, 20, 30, 40]),
        (7, [5, 3, 2], [4, 2, 1]),  # 3.5, 2.1, 1.4: the spare unit goes to the 0.5
        (10, [1, 1, 1], [4, 3, 3]),  # equal remainders: earlier wallet first
        (2, [1, 0, 1], [1, 0, 1]),
        (0, [1, 1], [0, 0]),
    ],
)
def test_split_among_uses_the_largest_remainder(total: int, weights: list[int], parts: list[int]) -> None:
    wallets = [f"wallet{i}" for i in range(len(weights))]
    assert split_among(total, list(zip(wallets, weights, strict=True))) == dict(zip(wallets, parts, strict=True))


@pytest.mark.parametrize(
    ("shares", "message"),
    [
        ([("a", 1), ("a", 2)], "only once"),
        ([("a", 1), ("b", -1)], "negative"),
        ([("a", 0)], "positive share"),
        ([], "positive share"),
    ],
)
def test_bad_shares_are_refused(shares: list[tuple[str, int]], message: str) -> None:
    with pytest.raises(VestingError, match=message):
        split_among(100, shares)


TEAM = [("alice", 50), ("bob", 30), ("carol", 20)]


def test_team_release_pays_each_wallet_what_vested_minus_what_it_got() -> None:
    assert team_release(YEAR_PLAN, TEAM, {}, month(2)) == {"alice": 0, "bob": 0, "carol": 0}
    first = team_release(YEAR_PLAN, TEAM, {}, month(3))
    assert first == {"alice": 150_000, "bob": 90_000, "carol": 60_000}
    assert team_release(YEAR_PLAN, TEAM, first, month(3)) == {"alice": 0, "bob": 0, "carol": 0}
    assert team_release(YEAR_PLAN, TEAM, first, month(4)) == {"alice": 50_000, "bob": 30_000, "carol": 20_000}
    assert team_release(YEAR_PLAN, TEAM, first, month(12)) == {"alice": 450_000, "bob": 270_000, "carol": 180_000}


def test_team_release_refuses_impossible_history() -> None:
    with pytest.raises(VestingError, match="only 150000 vested"):
        team_release(YEAR_PLAN, TEAM, {"alice": 150_001}, month(3))
    with pytest.raises(VestingError, match="outside the team"):
        team_release(YEAR_PLAN, TEAM, {"mallory": 1}, month(3))


# --- properties -----------------------------------------------------------------------------

@st.composite
def schedules(draw: st.DrawFn) -> VestingSchedule:
    duration_us = draw(st.integers(1, 10**14))  # up to about three years
    period_us = max(1, duration_us // draw(st.integers(1, 300)))
    return VestingSchedule(
        total=draw(st.integers(1, 10**18)),
        start=START + timedelta(seconds=draw(st.integers(-10**8, 10**8))),
        cliff=timedelta(microseconds=draw(st.integers(0, duration_us))),
        duration=timedelta(microseconds=duration_us),
        period=timedelta(microseconds=period_us),
    )


def offsets(schedule: VestingSchedule) -> st.SearchStrategy[datetime]:
    span = schedule.duration // TICK
    return st.integers(-span, 2 * span).map(lambda us: schedule.start + us * TICK)


@given(data=st.data(), schedule=schedules())
def test_vested_amount_grows_and_ends_at_the_total(data: st.DataObject, schedule: VestingSchedule) -> None:
    earlier, later = sorted(data.draw(st.lists(offsets(schedule), min_size=2, max_size=2)))
    assert 0 <= vested_amount(schedule, earlier) <= vested_amount(schedule, later) <= schedule.total
    assert vested_amount(schedule, schedule.end) == schedule.total
    assert vested_amount(schedule, schedule.cliff_at - TICK) == 0


@given(schedule=schedules())
def test_unlock_events_release_the_total_exactly_when_vesting_grows(schedule: VestingSchedule) -> None:
    events = unlock_events(schedule)
    assert sum(amount for _, amount in events) == schedule.total
    assert all(type(amount) is int and amount > 0 for _, amount in events)
    assert [moment for moment, _ in events] == sorted({moment for moment, _ in events})
    released = 0
    for moment, amount in events:
        assert vested_amount(schedule, moment - TICK) == released
        released += amount
        assert vested_amount(schedule, moment) == released


@given(data=st.data(), schedule=schedules())
def test_next_unlock_is_the_next_growth_of_vesting(data: st.DataObject, schedule: VestingSchedule) -> None:
    at = data.draw(offsets(schedule))
    upcoming = next_unlock(schedule, at)
    if upcoming is None:
        assert vested_amount(schedule, at) == schedule.total
        return
    moment, amount = upcoming
    assert moment > at
    assert vested_amount(schedule, moment - TICK) == vested_amount(schedule, at)
    assert vested_amount(schedule, moment) == vested_amount(schedule, at) + amount


@given(total=st.integers(0, 10**24), weights=st.lists(st.integers(0, 10**6), min_size=1, max_size=12).filter(any))
def test_split_among_is_exact_and_fair(total: int, weights: list[int]) -> None:
    parts = list(split_among(total, list(enumerate(weights))).values())
    assert sum(parts) == total
    for part, weight in zip(parts, weights, strict=True):
        exact_floor = total * weight // sum(weights)
        assert exact_floor <= part <= exact_floor + 1


@given(
    data=st.data(),
    schedule=schedules(),
    weights=st.lists(st.integers(0, 1000), min_size=1, max_size=8).filter(any),
)
def test_per_wallet_releases_sum_to_each_allocation(
    data: st.DataObject, schedule: VestingSchedule, weights: list[int]
) -> None:
    shares = [(f"wallet{i}", weight) for i, weight in enumerate(weights)]
    allocations = split_among(schedule.total, shares)
    times = unlock_times(schedule)
    # A worker may miss runs; whatever it skips comes out at the next one it makes.
    visited = [*data.draw(st.lists(st.sampled_from(times), unique=True)), times[-1]]
    released = {wallet: 0 for wallet, _ in shares}
    for moment in sorted(visited):
        for wallet, due in team_release(schedule, shares, released, moment).items():
            assert due >= 0
            released[wallet] += due
            assert released[wallet] <= allocations[wallet]
    assert released == allocations
    assert sum(released.values()) == schedule.total
