"""Paging the tokens directory: every page after the first keeps the filters and sort of the first."""
from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from webapp.extensions import db
from webapp.models import (
    BondingCurve,
    HolderAccount,
    IndexedTransaction,
    Token,
    TokenMarket,
    TokenTrade,
    WalletActivity,
)
from webapp.services import token_directory

TOKENS = 120  # five pages unfiltered, and more than one page (24 cards) for every single filter below
TIERS = ("wild_fires", "stable_grounds", None)
PHASES = ("curve", "pool", None, "graduating")  # None: a token with no curve (registered from an existing mint)
CARD = re.compile(r'class="card token-card" href="/tokens/([^"/]+)"')
MORE = re.compile(r'id="token-more">\s*<a class="btn" href="([^"]+)"')


@dataclass(frozen=True)
class Made:
    """One token as the test made it, with the figures each sort ranks by."""

    id: int
    mint: str
    name: str
    tier: str | None
    phase: str | None
    market_cap: int
    volume: int
    holders: int
    active: int

    def key(self, sort: str) -> int:
        return {"market_cap": self.market_cap, "volume": self.volume, "holders": self.holders,
                "trending": self.volume * (1 + self.active), "newest": self.id}[sort]


def _curve(mint: str, phase: str) -> BondingCurve:
    tokens = 1_073_000_000 * 10**6
    return BondingCurve(mint=mint, vault_wallet="curve_x", pool_wallet="pool_x", phase=phase, virtual_sol=30 * 10**9,
                        virtual_tokens=tokens, sellable_tokens=793_100_000 * 10**6, total_supply=10**15, fee_bps=100,
                        graduation_fee_lamports=0, virtual_sol_reserves=30 * 10**9, virtual_token_reserves=tokens,
                        real_sol_reserves=0, real_token_reserves=793_100_000 * 10**6, tokens_sold=0)


@pytest.fixture()
def made(app) -> list[Made]:
    """Tokens whose figures tie often (tie-breaks by id matter) across tiers, names and market phases."""
    now = datetime.now(UTC)
    with app.app_context():
        transaction = IndexedTransaction(signature="directory-seed", slot=1)
        db.session.add(transaction)
        db.session.flush()
        made = []
        for i in range(TOKENS):
            mint = f"DirMint{i:037d}"
            token = Token(mint=mint, name=f"{'Ember' if i % 2 == 0 else 'Frost'} {i}", symbol=f"D{i:03d}", decimals=6,
                          supply=10**15, supply_slot=0, program="token", tier=TIERS[i % 3])
            db.session.add(token)
            db.session.flush()
            phase = PHASES[(i // 3) % 4]
            if phase:
                db.session.add(_curve(mint, phase))
            market_cap = (i * 7 % 11) * 10**9 if i % 5 else 0
            if i % 5:
                db.session.add(TokenMarket(mint=mint, price_lamports=market_cap, price_units=10**15, price_slot=1,
                                           price_signature="directory-seed", market_cap_lamports=market_cap))
            trades = [(i % 6 + 1) * 10**8] * (i % 4)
            for position, lamports in enumerate(trades):
                db.session.add(TokenTrade(transaction_id=transaction.id, signature=f"dir-{i}", position=position,
                                          mint=mint, wallet="w", side="buy", token_amount=1, sol_amount=lamports,
                                          slot=1, block_time=now - timedelta(hours=1)))
            # a trade older than a day counts for no sort
            db.session.add(TokenTrade(transaction_id=transaction.id, signature=f"dir-{i}", position=9, mint=mint,
                                      wallet="w", side="buy", token_amount=1, sol_amount=7 * 10**9, slot=1,
                                      block_time=now - timedelta(hours=30)))
            for holder in range(i % 5):
                db.session.add(HolderAccount(account=f"acct-{i}-{holder}", mint=mint, owner=f"owner-{holder}",
                                             amount=10, slot=1))
            for wallet in range(i % 3):
                db.session.add(WalletActivity(mint=mint, day=now.date(), wallet=f"wallet-{wallet}"))
            made.append(Made(token.id, mint, token.name, token.tier, phase, market_cap, sum(trades), i % 5, i % 3))
        db.session.commit()
    return made


def _matches(token: Made, filters: dict[str, str]) -> bool:
    query = filters.get("q", "").lower()
    if query and query not in token.name.lower() and query not in token.mint.lower():
        return False
    if filters.get("tier") and token.tier != filters["tier"]:
        return False
    if filters.get("graduated") == "yes" and token.phase != "pool":
        return False
    if filters.get("graduated") == "no" and token.phase not in ("curve", "graduating"):
        return False
    return True


def _walk(client, filters: dict[str, str], sort: str) -> tuple[list[str], list[str]]:
    """Every card of the listing, following "Show more tokens" as a browser would; and each link followed."""
    reply = client.get("/tokens/", query_string={**filters, "sort": sort})
    assert reply.status_code == 200
    page = reply.get_data(as_text=True)
    mints, links = CARD.findall(page), []
    while (more := MORE.search(page)) is not None:
        links.append(html.unescape(more.group(1)))
        reply = client.get(links[-1], headers={"HX-Request": "true"})
        assert reply.status_code == 200, reply.get_data(as_text=True)
        page = reply.get_data(as_text=True)
        mints += CARD.findall(page)
    return mints, links


@pytest.mark.parametrize("filters", [
    {}, {"q": "ember"}, {"tier": "wild_fires"}, {"tier": "stable_grounds"}, {"graduated": "yes"},
    {"graduated": "no"},
], ids=lambda filters: "&".join(f"{k}={v}" for k, v in filters.items()) or "all")
def test_show_more_pages_keep_the_filter_for_every_sort(client, made, filters) -> None:
    for sort in token_directory.SORTS:
        expected = sorted((t for t in made if _matches(t, filters)), key=lambda t: (t.key(sort), t.id), reverse=True)
        assert len(expected) > token_directory.PAGE_SIZE, "the filter needs a second page to test"
        mints, links = _walk(client, filters, sort)
        assert links, f"{sort}: no Show more link"
        for link in links:
            for name, value in {**filters, "sort": sort}.items():
                assert f"{name}={value}" in link, f"{sort}: {link} drops {name}"
        # only matching tokens, each once, none skipped, in the sort's order
        assert mints == [t.mint for t in expected], f"{sort} {filters}"


def test_all_filters_together_page_through_the_service(app, made) -> None:
    expected_filter = {"q": "frost", "tier": "stable_grounds", "graduated": "no"}
    with app.app_context():
        for sort in token_directory.SORTS:
            expected = sorted((t for t in made if _matches(t, expected_filter)),
                              key=lambda t: (t.key(sort), t.id), reverse=True)
            seen: list[str] = []
            cursor = None
            while True:
                page = token_directory.directory(search="frost", tier="stable_grounds", graduated="no",
                                                 sort=sort, cursor=cursor, limit=3)
                seen += [card.token.mint for card in page.cards]
                if page.next_cursor is None:
                    break
                cursor = page.next_cursor
            assert len(expected) > 3 and seen == [t.mint for t in expected], sort


@pytest.mark.parametrize("change", [{"sort": "volume"}, {"graduated": "yes"}, {"tier": "wild_fires"}, {"q": "ember"}])
def test_a_cursor_used_with_other_filters_is_refused(client, made, change) -> None:
    first = {"sort": "market_cap", "graduated": "no"}
    page = client.get("/tokens/", query_string=first).get_data(as_text=True)
    more = MORE.search(page)
    assert more is not None
    cursor = re.search(r"cursor=([^&]+)", html.unescape(more.group(1)))
    assert cursor is not None
    reply = client.get("/tokens/", query_string={**first, **change, "cursor": cursor.group(1)})
    assert reply.status_code == 400 and "belongs to other filters" in reply.get_data(as_text=True)


def test_api_pages_carry_the_graduated_filter(client, made) -> None:
    expected = sorted((t for t in made if t.phase == "pool"), key=lambda t: t.id, reverse=True)
    mints: list[str] = []
    cursor = ""
    while True:
        reply = client.get("/api/v1/tokens", query_string={"graduated": "yes", "limit": 7, "cursor": cursor})
        assert reply.status_code == 200, reply.get_json()
        body = reply.get_json()
        mints += [token["mint"] for token in body["data"]]
        if not body["meta"]["next_cursor"]:
            break
        cursor = body["meta"]["next_cursor"]
    assert mints == [t.mint for t in expected]
    mismatched = client.get("/api/v1/tokens", query_string={"sort": "volume", "graduated": "yes", "cursor": cursor})
    assert mismatched.status_code == 400
