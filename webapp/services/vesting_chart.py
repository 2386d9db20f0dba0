"""A vesting schedule as SVG geometry: the share of the team allocation unlocked over time."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from webapp.services.vesting import VestingError, VestingSchedule, unlock_events

WIDTH, HEIGHT, PAD = 640, 180, 24
LABEL_HALF_WIDTH = 60  # about half of "cliff 01 Jan 2027" at the chart's axis font
PREVIEW_TOTAL = 10_000  # basis points of the allocation: the preview shows shares, not amounts


@dataclass(frozen=True)
class VestingPreview:
    width: int
    height: int
    points: str  # polyline of the cumulative unlocked share
    steps: int
    cliff_label: str
    cliff_x: float  # where the cliff step rises: its label sits under it
    cliff_anchor: str  # SVG text-anchor that keeps the label inside the chart near either edge
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
    cliff_x = x(events[0][0]) if events else x(schedule.cliff_at)
    return VestingPreview(WIDTH, HEIGHT, " ".join(points), len(events), f"cliff {schedule.cliff_at:%d %b %Y}",
                          cliff_x, _anchor(cliff_x), f"all unlocked {schedule.end:%d %b %Y}",
                          f"{first // 100}.{first % 100:02d}")


def _anchor(x: float) -> str:
    """Centre a label under x, unless that would push it past the chart's left or right edge."""
    if x < PAD + LABEL_HALF_WIDTH:
        return "start"
    if x > WIDTH - PAD - LABEL_HALF_WIDTH:
        return "end"
    return "middle"
