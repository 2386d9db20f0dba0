"""The trade preview's figures never overlap, on a wide screen or a phone."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.wallet import sign_in_with_test_wallet
from tests.integration.trading.conftest import chain, market, payout_world  # noqa: F401

TEXT_EXTENTS = """quote => [...quote.querySelectorAll('dt, dd')].map(part => {
  const range = document.createRange(); range.selectNodeContents(part);
  const r = range.getBoundingClientRect(); return {x: r.x, y: r.y, width: r.width, height: r.height};
})"""


def _overlap(a: dict[str, float], b: dict[str, float]) -> bool:
    return (a["x"] < b["x"] + b["width"] - 0.5 and b["x"] < a["x"] + a["width"] - 0.5
            and a["y"] < b["y"] + b["height"] - 0.5 and b["y"] < a["y"] + a["height"] - 0.5)


@pytest.mark.parametrize("width", [1280, 390])
def test_preview_figures_never_overlap(app, live_server, page, screenshot, market, width) -> None:  # noqa: F811
    page.set_viewport_size({"width": width, "height": 900})
    sign_in_with_test_wallet(app, live_server, page)
    page.goto(live_server + f"/tokens/{market.mint}")
    page.get_by_test_id("trade-amount").fill("0.5")  # about 17 million tokens: the longest figure
    expect(page.locator("#trade-preview")).to_contain_text("You receive about")
    box = page.locator(".trade-quote").evaluate(
        "quote => { const r = quote.getBoundingClientRect(); "
        "return {x: r.x, y: r.y, width: r.width, height: r.height}; }")
    # the extent of each label's and figure's text as drawn (an element's own box hides text that spills out of it)
    boxes = page.locator(".trade-quote").evaluate(TEXT_EXTENTS)
    assert box is not None and len(boxes) >= 6 and all(boxes)
    for index, first in enumerate(boxes):
        assert first is not None
        assert box["x"] <= first["x"] and first["x"] + first["width"] <= box["x"] + box["width"] + 0.5
        for second in boxes[index + 1:]:
            assert second is not None and not _overlap(first, second), (first, second)
    page.locator("#trade-panel").scroll_into_view_if_needed()
    page.locator("#trade-panel").screenshot(path=str(screenshot(f"trade-preview-{width}").with_name(
        f"trade-preview-panel-{width}.png")))
