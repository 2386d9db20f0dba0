"""Live fragments rendered from plain values, ready for `publish(topic, html)`.

Amounts arrive as integers in base units (lamports, token base units) and
become text only here, with exact Decimal arithmetic. Each fragment has a
stable id and its own `hx-swap-oob`, so the htmx ws extension (and the
catch-up response) swaps it into place: rows go `afterbegin` of a list
(`#trades`, `#new-tokens`, `#activity`, `#alerts`), figures replace themselves
(`outerHTML`); a token's figures come as a market summary (plain integers).
Pages that show the same pieces when first rendered include the template
(or macro) with `oob=False`: a boosted navigation would otherwise treat them
as out-of-band swaps.

The helpers work inside a request, a bare app context (an RQ job) or both.
"""
from __future__ import annotations

import uuid
from contextlib import AbstractContextManager, nullcontext
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from flask import current_app, has_request_context, render_template, url_for

from webapp.money import sol_text, token_text

if TYPE_CHECKING:
    from webapp.services.indexer.reads import MarketSummary


def _rendering() -> AbstractContextManager[object]:
    """url_for needs a request; a job has none, so it renders in a stand-in one for SITE_URL."""
    if has_request_context():
        return nullcontext()
    return current_app.test_request_context(current_app.config.get("SITE_URL") or "/")


def _render(template: str, **values: object) -> str:
    with _rendering():
        return render_template(template, oob=True, **values)


def render_fragment(template: str, **values: object) -> str:
    """Any live fragment template, rendered out of band, in a request or a job."""
    return _render(template, **values)


def _utc(moment: datetime | None) -> datetime:
    moment = moment or datetime.now(UTC)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def token_url(mint: str) -> str:
    return url_for("tokens.show", mint=mint)


def transaction_url(signature: str) -> str | None:
    pattern = str(current_app.config.get("EXPLORER_URL") or "")
    return pattern.format(kind="tx", value=signature) if pattern else None


def render_token_created(
    *, mint: str, name: str, symbol: str, creator: str, tier: int, created_at: datetime | None = None,
) -> str:
    with _rendering():
        return _render(
            "live/_token_created.html",
            mint=mint, name=name, symbol=symbol, creator=creator, tier=tier,
            created_at=_utc(created_at), url=token_url(mint),
        )


def render_token_figures(
    figures: MarketSummary, *, curve_progress_bps: int | None = None, curve_raised_lamports: int = 0,
    curve_remaining_lamports: int = 0,
) -> str:
    """A token page's figures (price, market cap, 24h change and volume, holders) and its curve progress.

    Drawn by the same macros as the page (tokens/_figures.html), so a pushed
    figure is the one a fresh render of the page shows.
    """
    return _render(
        "live/_token_figures.html",
        mint=figures.mint, m=figures,
        curve_progress_bps=None if curve_progress_bps is None else max(0, min(10_000, curve_progress_bps)),
        curve_raised_lamports=curve_raised_lamports, curve_remaining_lamports=curve_remaining_lamports,
    )


def render_card_figures(figures: MarketSummary) -> str:
    """The figures on the token's directory card (the `tokens` topic), drawn by the directory's own macro."""
    return _render("live/_card_figures.html", mint=figures.mint, m=figures)


def transaction_view(
    *, signature: str, label: str, wallet: str, token_amount: int, decimals: int,
    sol_amount: int = 0, symbol: str = "", block_time: datetime | None = None,
) -> dict[str, object]:
    """What a feed row shows for one indexed event, as text (the macro in live/_transaction_row.html draws it)."""
    return {
        "signature": signature, "label": label, "wallet": wallet, "symbol": symbol,
        "tokens": token_text(token_amount, decimals), "sol": sol_text(sol_amount) if sol_amount else None,
        "at": _utc(block_time), "explorer_url": transaction_url(signature),
    }


def render_transaction(
    *, signature: str, label: str, wallet: str, token_amount: int, decimals: int,
    sol_amount: int = 0, symbol: str = "", block_time: datetime | None = None, feed: str = "trades",
) -> str:
    """One indexed event: buy, sell, swap, transfer… as a row at the top of `#<feed>` (`trades` or `activity`)."""
    if feed not in ("trades", "activity"):
        raise ValueError(f"no feed #{feed} on any page")
    return _render("live/_transaction.html", feed=feed, t=transaction_view(
        signature=signature, label=label, wallet=wallet, token_amount=token_amount, decimals=decimals,
        sol_amount=sol_amount, symbol=symbol, block_time=block_time))


def render_market_data(
    *, mint: str, volume_24h_lamports: int, trades_24h: int, holders: int, liquidity_lamports: int | None = None,
) -> str:
    return _render(
        "live/_market_data.html",
        mint=mint, volume=sol_text(volume_24h_lamports), trades=trades_24h, holders=holders,
        liquidity=None if liquidity_lamports is None else sol_text(liquidity_lamports),
    )


def render_notification(*, notification_id: int, text: str, url: str | None = None) -> str:
    """A notification for one member at the top of `#alerts` (no nav badge until notifications have a page)."""
    if url is not None and (not url.startswith("/") or url.startswith("//")):
        raise ValueError("notification links are paths on this site, e.g. from url_for")
    return _render("live/_notification.html", notification_id=notification_id, text=text, url=url)


def render_user_activity(
    *, activity_id: int | str, wallet: str, name: str, action: str, subject: str = "", at: datetime | None = None,
) -> str:
    """`<name> <action> <subject>` at the top of `#activity`, e.g. "Ana joined bounty Logo"."""
    return _render(
        "live/_user_activity.html",
        activity_id=activity_id, wallet=wallet, name=name, action=action, subject=subject, at=_utc(at),
    )


def render_notice(text: str) -> str:
    """An announcement from the team at the top of `#alerts`."""
    return _render("live/_notice.html", notice_id=uuid.uuid4().hex[:12], text=text, at=_utc(None))
