"""The token page's Staked and Community fund figures, holder labels, and the per-visitor stake card."""
from __future__ import annotations

from sqlalchemy import select

from tests.conftest import landed_transaction
from tests.integration.staking.conftest import Holder, Market, deposit, stake_wallet
from webapp.extensions import db
from webapp.models import StakeDeposit
from webapp.money import token_units
from webapp.services.indexer import store
from webapp.services.indexer.tracking import track_mint


def test_the_token_page_shows_staked_and_fund_totals_and_labels_their_wallets(market: Market, holder: Holder, client,
                                                                              auth) -> None:
    page = client.get(f"/tokens/{market.mint}").get_data(as_text=True)
    assert "Staked" in page and "Community fund" in page  # shown for a launched token before any deposit
    assert f'hx-get="/tokens/{market.mint}/stake"' in page and "load, stake-changed from:body" in page

    auth.sign_in(holder.keypair)
    staked, gift = holder.tokens // 4, holder.tokens // 20
    deposit(client, auth, market, holder.keypair, "stake", staked)
    deposit(client, auth, market, holder.keypair, "fund", gift)
    with market.app.app_context():  # the worker's indexing jobs, run here
        signatures = db.session.scalars(select(StakeDeposit.signature)).all()
        raws = [landed_transaction(market.world.rpc, s, encoding="jsonParsed") for s in signatures]
        assert not store.index_batch(raws).failed

    client.post("/auth/logout", data={"csrf_token": auth.csrf_token()})
    page = client.get(f"/tokens/{market.mint}").get_data(as_text=True)
    staked_figure = page.split('data-testid="staked-total">', 1)[1].split("</div>", 1)[0]
    fund_figure = page.split('data-testid="fund-total">', 1)[1].split("</div>", 1)[0]
    assert token_units(staked, 6) in staked_figure and token_units(gift, 6) in fund_figure
    escrow, fund = stake_wallet(market, "stake"), stake_wallet(market, "fund")
    holders = page.split("Top holders", 1)[1]
    assert f'title="{escrow}"' in holders and ">stake escrow</span>" in holders
    assert f'title="{fund}"' in holders and ">community fund</span>" in holders


def test_visitors_see_a_sign_in_and_members_see_their_figures_and_forms(market: Market, holder: Holder, client,
                                                                        auth) -> None:
    fragment = client.get(f"/tokens/{market.mint}/stake", headers={"HX-Request": "true"})
    html = fragment.get_data(as_text=True)
    assert fragment.status_code == 200 and "Sign in to stake" in html
    assert "<html" not in html and 'name="amount"' not in html
    full = client.get(f"/tokens/{market.mint}/stake").get_data(as_text=True)  # without htmx: a whole page
    assert "<html" in full and "Sign in to stake" in full and "Stake &amp; community fund" in full

    auth.sign_in(holder.keypair)
    html = client.get(f"/tokens/{market.mint}/stake", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "Your stake" in html and "Your contribution" in html and "In your wallet" in html
    assert token_units(holder.tokens, 6) in html  # the wallet's balance, read from the chain
    for action in ("stake", "fund", "unstake"):
        assert f'hx-post="/tokens/{market.mint}/{action}"' in html
    assert 'hx-target="#stake-result"' in html and "Sign in to stake" not in html


def test_a_token_registered_from_outside_has_no_staking(market: Market, client) -> None:
    registered = str(market.world.mint)
    with market.app.app_context():
        track_mint(market.world.rpc, registered, name="Outside Coin", symbol="OUTS")
    page = client.get(f"/tokens/{registered}").get_data(as_text=True)
    assert "Outside Coin" in page and "Community fund" not in page and "stake-panel" not in page
    reply = client.get(f"/tokens/{registered}/stake", headers={"HX-Request": "true"})
    assert reply.status_code == 404 and "only for tokens launched on Momentum" in reply.get_data(as_text=True)
