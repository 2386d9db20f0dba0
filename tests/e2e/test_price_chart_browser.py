"""The price chart in the browser: the readout follows the pointer with CSS alone (no chart script)."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask import Flask
from playwright.sync_api import expect

CHART_MINT = "ChartM1nt111111111111111111111111111111111"


def _token_with_candles(app: Flask, count: int = 48) -> None:
    """A tracked token with `count` five-minute candles ending now, prices near 0.00000003 SOL per token."""
    from webapp.extensions import db
    from webapp.models import Candle, Token

    now = datetime.now(UTC).replace(second=0, microsecond=0)
    newest = now - timedelta(minutes=now.minute % 5)
    with app.app_context():
        db.session.add(Token(mint=CHART_MINT, name="Chart Cat", symbol="CCAT", decimals=6,
                             supply=10**15, supply_slot=0, program="token", tier="wild_fires"))
        for i in range(count):
            base = 3_000_000 + (i * 37 % 11) * 20_000 + i * 5_000  # lamports per 10**11 base units (100,000 tokens)
            close = base + (30_000 if i % 3 else -40_000)
            db.session.add(Candle(
                mint=CHART_MINT, interval_seconds=300, starts_at=newest - timedelta(minutes=5 * (count - 1 - i)),
                open_lamports=base, open_units=10**11, open_slot=i, open_signature=f"o{i}",
                high_lamports=max(base, close) + 15_000, high_units=10**11,
                low_lamports=min(base, close) - 15_000, low_units=10**11,
                close_lamports=close, close_units=10**11, close_slot=i, close_signature=f"c{i}",
                volume_lamports=(i % 5 + 1) * 120_000_000, volume_units=4 * 10**12, trades=i % 4 + 1))
        db.session.commit()


def test_hovering_a_candle_shows_its_ohlcv_readout(app, live_server, page, screenshot) -> None:
    _token_with_candles(app)
    page.goto(live_server + f"/tokens/{CHART_MINT}")
    chart = page.locator("svg.price-chart")
    expect(chart).to_be_visible()
    latest = chart.locator(".readout.latest")
    expect(latest).to_be_visible()  # the newest candle's figures before any hover
    candle = chart.locator("g.candle").nth(20)
    readout = candle.locator(".readout")
    expect(readout).to_be_hidden()
    title = candle.locator("title").text_content() or ""
    candle.locator("rect.hit").hover()
    expect(readout).to_be_visible()
    expect(latest).to_be_hidden()
    # candle 20: open 3,000,000 + 20,000·(740 % 11 = 3) + 100,000 lamports per 100,000 tokens
    expect(readout).to_contain_text("O 0.0₇316")
    expect(readout).to_contain_text("Vol 0.12 SOL")
    for figure in ("H ", "L ", "C "):
        expect(readout).to_contain_text(figure)
    assert "open 0.0₇316," in title and "volume 0.12 SOL" in title
    screenshot("token-chart-hover")
    page.mouse.move(5, 5)  # away from the chart: the newest candle's readout returns
    expect(latest).to_be_visible()


def test_interval_links_work_without_javascript(app, live_server, browser) -> None:
    _token_with_candles(app)
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1280, "height": 800})
    try:
        tab = context.new_page()
        tab.goto(live_server + f"/tokens/{CHART_MINT}")
        expect(tab.locator('#price-chart a[aria-current="true"]')).to_have_text("5m")
        tab.get_by_role("link", name="1h", exact=True).click()
        expect(tab.locator('#price-chart a[aria-current="true"]')).to_have_text("1h")
        assert tab.url.endswith("/chart?interval=1h")
        expect(tab.locator("h1")).to_contain_text("Chart Cat")  # the whole page, not a fragment
    finally:
        context.close()
