"""The home page shows what its words say: today's launches, trades under "Trades", the rest as token activity."""
from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

from flask import Flask
from solders.keypair import Keypair
from solders.signature import Signature

from webapp import live
from webapp.chain.classify import ChainEvent
from webapp.extensions import db
from webapp.models import IndexedTransaction, LaunchApplication, Token, TransactionEvent, User
from webapp.services import home_page
from webapp.services.indexer.live_feed import publish_indexed
from webapp.services.indexer.transactions import PreparedTransaction

MINT = str(Keypair().pubkey())


def _feed(html: str, feed_id: str) -> str:
    match = re.search(rf'<div id="{feed_id}" class="feed"[^>]*>(.*?)</div>\s*</div>', html, re.S)
    assert match, f"no #{feed_id} on the page"
    return match.group(1)


def _launch(applicant: User, symbol: str, at: datetime, status: str = "launched") -> None:
    launched = status == "launched"
    db.session.add(LaunchApplication(
        applicant_id=applicant.id, name=f"Token {symbol}", symbol=symbol, tier="wild_fires", status=status,
        mint=str(Keypair().pubkey()) if launched else None, launched_at=at if launched else None))


def _applicant() -> User:
    user = User(wallet=str(Keypair().pubkey()))
    db.session.add(user)
    db.session.flush()
    return user


def test_the_days_launches_are_listed_and_counted(app: Flask, client) -> None:
    now = datetime.now(UTC)
    start = home_page.day_start(now)
    with app.app_context():
        applicant = _applicant()
        for seconds, symbol in ((1, "ONE"), (2, "TWO"), (3, "THREE")):
            _launch(applicant, symbol, max(start, now - timedelta(seconds=seconds)))
        _launch(applicant, "OLD", start - timedelta(minutes=1))  # yesterday (UTC)
        _launch(applicant, "WAIT", now, status="pending")
        db.session.commit()
    html = client.get("/").get_data(as_text=True)
    launches = _feed(html, "new-tokens")
    assert all(f"${symbol}" in launches for symbol in ("ONE", "TWO", "THREE"))
    assert "$OLD" not in launches and "$WAIT" not in launches
    assert "3 launches since 00:00 UTC" in html


def test_today_is_the_utc_day_whatever_the_timezone_of_now(app: Flask) -> None:
    # 01:00 on 2 January at UTC+5 is 20:00 on 1 January in UTC: a launch at 10:00 UTC that day is today's
    now = datetime(2025, 1, 2, 1, 0, tzinfo=timezone(timedelta(hours=5)))
    assert home_page.day_start(now) == datetime(2025, 1, 1, tzinfo=UTC)
    with app.app_context():
        applicant = _applicant()
        _launch(applicant, "TODAY", datetime(2025, 1, 1, 10, 0, tzinfo=UTC))
        _launch(applicant, "EVE", datetime(2024, 12, 31, 23, 59, tzinfo=UTC))
        db.session.commit()
        page = home_page.build(now)
    assert [launch.symbol for launch in page.launches_today] == ["TODAY"]


def _token(app: Flask) -> None:
    with app.app_context():
        db.session.add(Token(mint=MINT, name="Feed Token", symbol="FEED", decimals=6, supply=10**15, supply_slot=0))
        db.session.commit()


def test_trades_lists_only_buys_sells_and_swaps(app: Flask, client) -> None:
    _token(app)
    now = datetime.now(UTC)
    with app.app_context():
        for slot, label in enumerate(("buy", "sell", "swap", "mint", "burn", "transfer", "stake"), start=1):
            signature = str(Signature.new_unique())
            tx = IndexedTransaction(signature=signature, slot=slot, block_time=now, mints=[MINT])
            db.session.add(tx)
            db.session.flush()
            db.session.add(TransactionEvent(
                transaction_id=tx.id, position=0, signature=signature, slot=slot, block_time=now, label=label,
                wallet=str(Keypair().pubkey()), mint=MINT, token_amount=1_000_000,
                sol_amount=5_000_000 if label in ("buy", "sell") else 0))
        db.session.commit()
    html = client.get("/").get_data(as_text=True)
    trades, activity = _feed(html, "trades"), _feed(html, "activity")
    assert sorted(re.findall(r'class="badge badge-(\w+)"', trades)) == ["buy", "sell", "swap"]
    assert sorted(re.findall(r'class="badge badge-(\w+)"', activity)) == ["burn", "mint", "stake", "transfer"]
    assert "Token activity" in html


def test_live_rows_go_to_the_feed_that_names_them(app: Flask) -> None:
    _token(app)
    wallet = str(Keypair().pubkey())
    now = datetime.now(UTC)
    events = [ChainEvent(None, 9, None, "buy", wallet, MINT, 1_000_000, 5_000_000),
              ChainEvent(None, 9, None, "burn", wallet, MINT, 2_000_000)]
    tx = PreparedTransaction(str(Signature.new_unique()), 9, now, wallet, 5000, None, events,
                             tracked_mints=frozenset({MINT}))
    with app.app_context():
        publish_indexed([tx], [tx.signature])
        home = [entry.html for entry in live.missed(live.GLOBAL, "0-0")]
        token = [entry.html for entry in live.missed(live.token_topic(MINT), "0-0")]
    assert len(home) == 2 and "afterbegin:#trades" in home[0] and "badge-buy" in home[0]
    assert "afterbegin:#activity" in home[1] and "badge-burn" in home[1]
    rows = [html for html in token if "afterbegin:" in html]
    assert len(rows) == 2 and all("afterbegin:#trades" in html for html in rows)  # a token page has one feed
    assert f'id="holders-{MINT}"' in token[-1]  # then the token's figures, once for the batch
