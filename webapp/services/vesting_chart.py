"""A vesting schedule as SVG geometry: the share of the team allocation unlocked over time."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from webapp.services.vesting import VestingError, VestingSchedule, unlock_events

WIDTH, HEIGHT, PAD = 640, 180, 24
PREVIEW_TOTAL = 10_000  # basis points of the allocation: the preview shows shares, not amounts


@dataclass(frozen=True)
class VestingPreview:
    width: int
    height: int
    points: str  # polyline of the cumulative unlocked share
    steps: int
    cliff_label: str
    end_label: str
    first_unlock_percent: str


def render_vesting_preview(cliff_days: int, vesting_days: int, period_days: int,
                           start: datetime | None = None) -> VestingPreview | str:
    """The cumulative unlock curve, or a sentence saying why the schedule is not valid yet."""
    start = start or datetime.now(UTC)
    try:
        schedule = VestingSchedule(total=PREVIEW_TOTAL, start=start, cliff=timedelta(days=cliff_days),
                                   duration=timedelta(days=vesting_days), period=timedelta(days=period_days))
        events = unlock_events(schedule)
    except (VestingError, OverflowError, ValueError) as error:
        return str(error)
    span = max((schedule.end - start).total_seconds(), 1)

    def x(moment: datetime) -> float:
        return round(PAD + (moment - start).total_seconds() / span * (WIDTH - 2 * PAD), 1)

    def y(unlocked: int) -> float:
        return round(HEIGHT - PAD - unlocked / PREVIEW_TOTAL * (HEIGHT - 2 * PAD), 1)

    points, unlocked = [f"{x(start)},{y(0)}"], 0
    for moment, amount in events:
        points.append(f"{x(moment)},{y(unlocked)}")
        unlocked += amount
        points.append(f"{x(moment)},{y(unlocked)}")
    first = events[0][1] if events else 0
    return VestingPreview(WIDTH, HEIGHT, " ".join(points), len(events), f"cliff {schedule.cliff_at:%d %b %Y}",
                          f"all unlocked {schedule.end:%d %b %Y}", f"{first // 100}.{first % 100:02d}")
