"""Every link the nav and the home page show leads somewhere that works, signed out and signed in."""
from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient
from solders.keypair import Keypair
from solders.signature import Signature

from webapp.extensions import db
from webapp.models import IndexedTransaction, LaunchApplication, Token, TransactionEvent, User

NOT_BUILT = ("/bounties", "/battles", "/leaderboards")


def _seed_home_page(app: Flask) -> None:
    """A launch today and activity by wallets that never signed in, so the home page links to them."""
    now = datetime.now(UTC)
    with app.app_context():
        creator = User(wallet=str(Keypair().pubkey()))
        db.session.add(creator)
        db.session.flush()
        mint = str(Keypair().pubkey())
        db.session.add(Token(mint=mint, name="Link Check", symbol="LINK", decimals=6, supply=10**15, supply_slot=0,
                             tier="wild_fires"))
        db.session.add(LaunchApplication(applicant_id=creator.id, name="Link Check", symbol="LINK", tier="wild_fires",
                                         status="launched", mint=mint, launched_at=now))
        for slot, label in enumerate(("buy", "transfer"), start=1):
            signature = str(Signature.new_unique())
            tx = IndexedTransaction(signature=signature, slot=slot, block_time=now, mints=[mint])
            db.session.add(tx)
            db.session.flush()
            db.session.add(TransactionEvent(transaction_id=tx.id, position=0, signature=signature, slot=slot,
                                            block_time=now, label=label, wallet=str(Keypair().pubkey()), mint=mint,
                                            token_amount=1_000_000, sol_amount=2_000_000 if label == "buy" else 0))
        db.session.commit()


def _site_links(html: str) -> set[str]:
    """The site's own links on a page (explorer links open other sites)."""
    return {href.replace("&amp;", "&") for href in re.findall(r'<a [^>]*href="([^"]+)"', html)
            if href.startswith("/") and not href.startswith("//")}


def _check_links(client: FlaskClient) -> set[str]:
    html = client.get("/").get_data(as_text=True)
    links = _site_links(html)
    assert not [link for link in links if link.startswith(NOT_BUILT)], "a link to a feature that is not built"
    for link in links:
        reply = client.get(link)
        assert reply.status_code < 400, (link, reply.status_code)
        assert "Coming soon" not in reply.get_data(as_text=True), link
    return links


@pytest.mark.parametrize("role", [None, "member", "admin"])
def test_every_nav_and_home_link_answers(app: Flask, client: FlaskClient, auth, make_user, role: str | None) -> None:
    _seed_home_page(app)
    if role is not None:
        auth.sign_in(make_user(role))
    links = _check_links(client)
    assert "/tokens/" in links and sum(link.startswith("/u/") for link in links) >= 3  # creator and two actors
    if role == "admin":
        assert "/admin/" in links


def test_members_see_the_notifications_bell_and_their_feed(client: FlaskClient, auth) -> None:
    assert 'id="nav-notifications"' not in client.get("/").get_data(as_text=True)
    auth.sign_in()
    html = client.get("/").get_data(as_text=True)
    assert 'id="nav-notifications"' in html and 'href="/feed"' in html
    assert 'data-testid="unread-count"' not in html  # no count until something is unread
    assert client.get("/notifications").status_code == 200 and client.get("/feed").status_code == 200


@pytest.mark.parametrize("path", ["/bounties/", "/battles/", "/leaderboards/"])
def test_placeholders_say_they_are_not_built(client: FlaskClient, path: str) -> None:
    reply = client.get(path)
    assert reply.status_code == 200 and "Coming soon" in reply.get_data(as_text=True)
