"""Each fragment has a stable id, swaps itself out of band, and escapes what people wrote."""
from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from flask import render_template

from webapp import live
from webapp.services.indexer.candles import Price
from webapp.services.indexer.reads import MarketSummary

MINT = "So11111111111111111111111111111111111111112"
WALLET = "9" * 44
AT = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)


def oob_targets(html: str) -> list[tuple[str, str]]:
    return re.findall(r'<\w+(?: id="([^"]*)")?[^>]*hx-swap-oob="([^"]+)"', html)


def test_transaction_row(offline_app) -> None:
    with offline_app.app_context():
        html = live.render_transaction(
            signature="5" * 88, label="sell", wallet=WALLET, token_amount=2_500_000, decimals=6,
            sol_amount=1_234_567_891, symbol="MOM", block_time=AT,
        )
    assert oob_targets(html) == [("", "afterbegin:#trades")]
    assert f'id="trade-{"5" * 88}-{WALLET}"' in html
    assert "<strong>2.5</strong> MOM" in html and "for 1.2346 SOL" in html
    assert 'href="/u/' + WALLET + '"' in html and 'datetime="2025-01-02T03:04:05+00:00"' in html


def test_figures_and_curve_replace_themselves(offline_app) -> None:
    figures = MarketSummary(MINT, 6, 10**15, Price(28, 1_000_000), 28_000_000_000_000, -1234, 5_000_000_000_000,
                            10**12, 1234, 56)
    with offline_app.app_context():
        html = live.render_token_figures(figures, curve_progress_bps=12_000)
        card = live.render_card_figures(figures)
        market = live.render_market_data(mint=MINT, volume_24h_lamports=5_000_000_000, trades_24h=1234, holders=56)
    assert oob_targets(html) == [
        (f"price-{MINT}", "outerHTML"), (f"market-cap-{MINT}", "outerHTML"), (f"change-{MINT}", "outerHTML"),
        (f"volume-{MINT}", "outerHTML"), (f"holders-{MINT}", "outerHTML"), (f"curve-{MINT}", "outerHTML")]
    assert "0.0₇28 SOL" in html and 'value="10000"' in html and "100%" in html
    assert '<abbr class="compact" title="28,000">28K</abbr> SOL' in html  # market cap, exact on hover
    assert '<abbr class="compact" title="5,000">5K</abbr> <span class="muted">SOL</span>' in html  # 24h volume
    assert 'text-danger"' in html and "-12.34%" in html and ">56<" in html
    assert oob_targets(card) == [(f"card-figures-{MINT}", "outerHTML")]
    assert "0.0₇28 SOL" in card and "28K</abbr> SOL" in card and "5K</abbr> SOL" in card
    assert oob_targets(market) == [(f"market-data-{MINT}", "outerHTML")]
    assert "5 SOL" in market and "1,234" in market and "Liquidity" not in market


def test_people_text_is_escaped(offline_app) -> None:
    evil = '<img src=x onerror="alert(1)">'
    with offline_app.app_context():
        created = live.render_token_created(mint=MINT, name=evil, symbol="<b>", creator=WALLET, tier=1, created_at=AT)
        activity = live.render_user_activity(
            activity_id=9, wallet=WALLET, name=evil, action="joined bounty", subject=evil, at=AT)
        notice = live.render_notice(evil)
    for html in (created, activity, notice):
        assert "<img" not in html and "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;" in html
    assert oob_targets(created) == [("", "afterbegin:#new-tokens")] and f'id="token-created-{MINT}"' in created
    assert oob_targets(activity) == [("", "afterbegin:#activity")] and 'id="activity-9"' in activity
    assert oob_targets(notice) == [("", "afterbegin:#alerts")] and "Wild Fire" in created


def test_notification_shows_itself_without_a_badge(offline_app) -> None:
    with offline_app.app_context():
        html = live.render_notification(notification_id=3, text="Your stake is confirmed", url="/tokens/x")
        with pytest.raises(ValueError):
            live.render_notification(notification_id=4, text="x", url="https://evil.example/")
        with pytest.raises(ValueError):
            live.render_notification(notification_id=4, text="x", url="//evil.example/")
    assert oob_targets(html) == [("", "afterbegin:#alerts")]
    assert 'id="notification-3"' in html and 'href="/tokens/x"' in html and "badge" not in html


def test_pages_include_fragments_without_oob(offline_app) -> None:
    with offline_app.test_request_context():
        row = render_template("live/_token_created.html", mint=MINT, name="M", symbol="M", creator=WALLET, tier=1,
                              created_at=AT, url="/tokens/x", oob=False)
    assert "hx-swap-oob" not in row and 'id="token-created-' in row


def test_helpers_render_outside_a_request_as_jobs_do(offline_app) -> None:
    with offline_app.app_context():  # no request context, as in an RQ job
        html = live.render_token_created(mint=MINT, name="Momentum", symbol="MOM", creator=WALLET, tier=2)
    assert 'href="/tokens/' in html and "Stable Ground" in html
