"""The tokens directory and a token page in the browser."""
from __future__ import annotations

from playwright.sync_api import expect

from tests.integration.indexer.test_mainnet_fixtures import RAYDIUM_MINT
from tests.integration.test_token_pages import indexed  # noqa: F401


def test_directory_filters_and_token_page(live_server, page, screenshot, indexed) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    page.goto(live_server + "/tokens/")
    expect(page.locator(".token-card")).to_have_count(2)
    screenshot("tokens")
    page.select_option("#token-tier", "stable_grounds")
    expect(page.locator(".token-card")).to_have_count(1)
    expect(page.locator(".token-card")).to_contain_text("Fast Pump")
    assert "tier=stable_grounds" in page.url
    page.goto(live_server + f"/tokens/{RAYDIUM_MINT}")
    expect(page.locator("svg.chart")).to_be_visible()
    expect(page.locator("#trades tbody tr")).to_have_count(5)
    page.get_by_role("link", name="1d", exact=True).click()
    expect(page.locator('#price-chart a[aria-current="true"]')).to_have_text("1d")
    screenshot("token-page")
