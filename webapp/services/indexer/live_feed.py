"""Newly indexed activity, pushed to open pages through the live hub (after the data is committed)."""
from __future__ import annotations

import logging
from collections.abc import Collection, Iterable
from datetime import UTC, datetime, timedelta
from functools import partial

from redis.exceptions import RedisError
from sqlalchemy import select

from webapp import live
from webapp.extensions import db
from webapp.models import Token
from webapp.services.home_page import ACTIVITY_LABELS, TRADE_LABELS
from webapp.services.indexer import reads
from webapp.services.indexer.transactions import PreparedTransaction
from webapp.services.trading import markets

log = logging.getLogger("momentum.indexer")
RECENT = timedelta(minutes=2)  # older transactions are history (a backfill), not news for open pages
SHOWN_LABELS = TRADE_LABELS | ACTIVITY_LABELS


def publish_indexed(transactions: Iterable[PreparedTransaction], indexed: Iterable[str]) -> None:
    """One row per shown event on its token's page and on the home page; fresh figures per token.

    Publishing never fails the indexing: the data is committed, and pages catch up on reload.
    """
    fresh, since = set(indexed), datetime.now(UTC) - RECENT
    rows = [(tx, event) for tx in transactions if tx.signature in fresh and (tx.block_time or since) >= since
            for event in tx.events
            if event.label in SHOWN_LABELS and event.mint in tx.tracked_mints and event.wallet]
    if not rows:
        return
    tokens = {t.mint: t for t in db.session.scalars(select(Token).where(Token.mint.in_({e.mint for _, e in rows})))}
    try:
        for tx, event in rows:
            if event.mint is None or event.wallet is None:  # not kept by the filter above; narrows the types
                continue
            token = tokens.get(event.mint)
            if token is None:
                continue
            shown = partial(live.render_transaction, signature=tx.signature, label=event.label, wallet=event.wallet,
                            token_amount=event.token_amount, decimals=token.decimals, sol_amount=event.sol_amount,
                            symbol=token.symbol, block_time=tx.block_time)
            html = shown()
            live.publish(live.token_topic(event.mint), html)
            # the home page lists trades under "Trades" and everything else under "Token activity"
            live.publish(live.GLOBAL, html if event.label in TRADE_LABELS else shown(feed="activity"))
        # trades move price and volume, transfers holders, mints and burns the market cap
        publish_figures({e.mint for _, e in rows if e.mint in tokens})
    except (RedisError, ValueError) as error:
        log.warning("could not publish live activity: %s", error)


def publish_figures(mints: Collection[str]) -> None:
    """Each token's figures, once per indexed batch: to its page and to its directory card.

    One read of the figures per batch, whatever its number of trades, and the
    same read the token page renders (reads.market_figures), drawn by the same macros.
    """
    for mint, figures in reads.market_figures(mints).items():
        progress = markets.progress_figures(markets.curve_for(mint))
        live.publish(live.token_topic(mint), live.render_token_figures(figures, **progress))
        live.publish(live.DIRECTORY, live.render_card_figures(figures))
