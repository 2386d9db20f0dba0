"""The tokens directory and a token page in the browser."""
from __future__ import annotations

from playwright.sync_api import expect

from tests.conftest import RAYDIUM_MINT


def test_directory_filters_and_token_page(live_server, page, screenshot, indexed) -> None:
    page.goto(live_server + "/tokens/")
    expect(page.locator(".token-card")).to_have_count(2)
    screenshot("tokens")
    page.select_option("#token-tier", "stable_grounds")
    expect(page.locator(".token-card")).to_have_count(1)
    expect(page.locator(".token-card")).to_contain_text("Fast Pump")
    assert "tier=stable_grounds" in page.url
    page.goto(live_server + f"/tokens/{RAYDIUM_MINT}")
    expect(page.locator("svg.chart")).to_be_visible()
    expect(page.locator("#trades .feed-item")).to_have_count(5)
    page.get_by_role("link", name="1d", exact=True).click()
    expect(page.locator('#price-chart a[aria-current="true"]')).to_have_text("1d")
    screenshot("token-page")


def test_launch_form_previews_the_vesting_schedule(app, live_server, page, screenshot) -> None:
    from tests.e2e.wallet import sign_in_with_test_wallet

    sign_in_with_test_wallet(app, live_server, page)
    page.goto(live_server + "/tokens/new")
    page.fill("#name", "Stable Garden")
    page.fill("#symbol", "GRDN")
    page.check("input[value=stable_grounds]")
    page.fill("#team_percent", "15")
    page.fill("#vesting_days", "720")
    page.fill("#cliff_days", "180")
    page.locator("#cliff_days").dispatch_event("change")
    expect(page.locator("#vesting-preview polyline")).to_be_visible()
    expect(page.locator("#vesting-preview")).to_contain_text("unlocks")
    screenshot("launch-form")
