"""The vesting preview chart: the cliff's label sits under the cliff step and inside the chart."""
from __future__ import annotations

from datetime import UTC, datetime
from itertools import pairwise

import pytest

from webapp.services.vesting_chart import PAD, WIDTH, VestingPreview, render_vesting_preview

START = datetime(2026, 1, 1, tzinfo=UTC)


def _first_rise_x(preview: VestingPreview) -> float:
    """Where the unlock line first goes up: the cliff step."""
    points = [tuple(map(float, pair.split(","))) for pair in preview.points.split()]
    for (x1, y1), (x2, y2) in pairwise(points):
        if y2 < y1:
            assert x1 == x2  # a step, not a slope
            return x2
    raise AssertionError("the line never rises")


def test_cliff_label_sits_under_the_cliff_step() -> None:
    preview = render_vesting_preview(180, 720, 30, start=START)
    assert isinstance(preview, VestingPreview)
    assert preview.cliff_x == _first_rise_x(preview)
    assert preview.cliff_x == pytest.approx(PAD + 180 / 720 * (WIDTH - 2 * PAD), abs=0.1)
    assert preview.cliff_anchor == "middle" and preview.cliff_label == "cliff 30 Jun 2026"


@pytest.mark.parametrize("cliff, anchor", [(0, "start"), (360, "end")])
def test_cliff_label_stays_inside_the_chart_at_either_edge(cliff: int, anchor: str) -> None:
    preview = render_vesting_preview(cliff, 360, 30, start=START)
    assert isinstance(preview, VestingPreview)
    assert preview.cliff_anchor == anchor and preview.cliff_x == _first_rise_x(preview)
