"""A Stable Grounds token trades from launch: approval opens a pool funded by the treasury, the team's share vests."""
from __future__ import annotations

import re

from solders.keypair import Keypair
from solders.pubkey import Pubkey
from sqlalchemy import func, select

from tests.conftest import get_row
from tests.integration.trading.conftest import SOL, wallet_signs
from webapp.extensions import db
from webapp.models import (
    AuditEntry,
    BondingCurve,
    LaunchApplication,
    PlatformWallet,
    Role,
    TokenMarket,
    TradeOrder,
    User,
)
from webapp.services import launches, liquidity_pool, platform_wallets
from webapp.services.indexer import backfill, reconcile
from webapp.services.liquidity_pool import PoolState

SEED = 4 * SOL
TEAM_BPS = 1_500
PUBLIC = launches.TOTAL_SUPPLY - launches.TOTAL_SUPPLY * TEAM_BPS // 10_000


def _apply(app, symbol: str) -> int:
    with app.app_context():
        applicant = User(wallet=str(Keypair().pubkey()), role=Role.MEMBER.value)
        db.session.add(applicant)
        db.session.commit()
        application = launches.submit(applicant, launches.LaunchDraft(
            "Garden Guild", symbol, "stable_grounds", "Growers funding community gardens.",
            team_allocation_bps=TEAM_BPS, team_wallets=[(str(Keypair().pubkey()), 60), (str(Keypair().pubkey()), 40)],
            cliff_days=90, vesting_days=365, unlock_period_days=30))
        return application.id


def _approve(client, auth, make_user, application_id: int):
    auth.sign_in(make_user("admin"))
    return client.post(f"/admin/launches/{application_id}/review",
                       data={"decision": "approve", "csrf_token": auth.csrf_token()})


def _treasury(app) -> str:
    with app.app_context():
        return platform_wallets.ensure_wallet("treasury", "Platform reserves").address


def _address(app, name: str) -> str:
    with app.app_context():
        return str(platform_wallets.keystore().address(name))


def _pool_row(app, mint: str) -> BondingCurve:
    with app.app_context():
        row = db.session.scalar(select(BondingCurve).where(BondingCurve.mint == mint))
        assert row is not None, "the launch opened no pool"
        db.session.expunge(row)
        return row


def _trade(client, auth, mint: str, keypair: Keypair, side: str, amount: str) -> str:
    reply = client.post(f"/tokens/{mint}/trade", data={"side": side, "amount": amount, "slippage_bps": "100",
                                                       "csrf_token": auth.csrf_token()})
    html = reply.get_data(as_text=True)
    assert reply.status_code == 200, html
    transaction, submit = re.search(r'data-transaction="([^"]+)"', html), re.search(r'data-submit-url="([^"]+)"', html)
    assert transaction and submit, html
    result = client.post(submit.group(1), data={"signed": wallet_signs(keypair, transaction.group(1)),
                                                "csrf_token": auth.csrf_token()})
    assert result.status_code == 200, result.get_data(as_text=True)
    return result.get_data(as_text=True)


def test_approval_opens_a_pool_members_trade_in(payout_world, app, client, auth, make_user, monkeypatch) -> None:
    from worker.jobs import launch_token

    world = payout_world
    monkeypatch.setitem(app.config, "STABLE_POOL_SEED_LAMPORTS", SEED)
    treasury = _treasury(app)
    world.rpc.confirm(world.rpc.request_airdrop(Pubkey.from_string(treasury), 10 * SOL))
    application_id = _apply(app, "GRDN")
    assert _approve(client, auth, make_user, application_id).status_code == 302
    before = world.rpc.get_balance(treasury, "confirmed")
    with app.app_context():
        launch_token(application_id)
        application = get_row(LaunchApplication, application_id)
        mint = str(application.mint)
        assert application.status == "launched"
    pool, escrow = _address(app, f"pool_{application_id}"), _address(app, f"escrow_{application_id}")

    def tokens_of(owner: str | Pubkey) -> int:
        return sum(h.amount for h in world.rpc.get_token_accounts_by_owner(str(owner), mint=mint))

    # the public supply and the seed SOL sit in the pool, the team's share in its escrow, nothing in the treasury
    assert tokens_of(pool) == PUBLIC and world.rpc.get_balance(pool, "confirmed") == SEED
    assert tokens_of(escrow) == launches.TOTAL_SUPPLY * TEAM_BPS // 10_000 and tokens_of(treasury) == 0
    assert before - world.rpc.get_balance(treasury, "confirmed") > SEED
    row = _pool_row(app, mint)
    assert row.phase == "pool" and row.graduation_signature is None
    assert (row.pool_sol_reserves, row.pool_token_reserves) == (SEED, PUBLIC)
    with app.app_context():
        market = get_row(TokenMarket, mint)
        assert (int(market.price_lamports), int(market.price_units)) == (SEED, PUBLIC)
        assert int(market.market_cap_lamports) == launches.TOTAL_SUPPLY * SEED // PUBLIC

    # the page prices it and offers the pool's trade box; the directory prices it too
    page = client.get(f"/tokens/{mint}").get_data(as_text=True)
    assert "Trade in the pool" in page and 'id="trade-form"' in page and "Graduated" not in page
    assert 'title="4.7059">4.71</abbr>' in page  # market cap: 4 SOL for 85% of the supply, exact on hover
    assert "0.0₈4706" in page  # the price of one token, 0.000000004706 SOL with its zeros counted
    card = client.get("/tokens/", query_string={"tier": "stable_grounds"}).get_data(as_text=True)
    assert "GRDN" in card and "0.0₈4706" in card and "badge-graduated" not in card

    # a member buys, then sells part back, through the pool
    client.post("/auth/logout", data={"csrf_token": auth.csrf_token()})
    keypair = Keypair()
    world.rpc.confirm(world.rpc.request_airdrop(keypair.pubkey(), 3 * SOL))
    with app.app_context():
        db.session.add(User(wallet=str(keypair.pubkey()), role=Role.MEMBER.value))
        db.session.commit()
    auth.sign_in(keypair)
    expected = liquidity_pool.quote_pool_buy(PoolState(SEED, PUBLIC), row.fee_bps, SOL // 2)
    assert "Bought" in _trade(client, auth, mint, keypair, "buy", "0.5")
    assert tokens_of(keypair.pubkey()) == expected.tokens
    half = expected.tokens // 2
    assert "Sold" in _trade(client, auth, mint, keypair, "sell", f"{half // 10**6}.{half % 10**6:06d}")
    assert tokens_of(keypair.pubkey()) == expected.tokens - half

    # the reserves are the chain's, and the index agrees with the chain
    row = _pool_row(app, mint)
    assert row.pool_sol_reserves is not None and row.pool_token_reserves is not None
    assert tokens_of(pool) == row.pool_token_reserves == PUBLIC - expected.tokens + half
    assert world.rpc.get_balance(pool, "confirmed") == row.pool_sol_reserves + int(row.pool_fees_lamports)
    assert row.pool_sol_reserves * row.pool_token_reserves >= SEED * PUBLIC
    with app.app_context():
        backfill.index_now(world.rpc, [backfill.FollowedAddress(mint, "mint")])
        run = reconcile.reconcile(world.rpc, mint, recheck_pause=0)
        assert run.error is None and run.mismatches == 0 and run.accounts_checked >= 3
        market = get_row(TokenMarket, mint)
        assert int(market.trades) == 2 and market.price_signature != application.created_signature


def test_approval_is_refused_while_the_treasury_cannot_fund_the_pool(payout_world, app, client, auth, make_user,
                                                                     monkeypatch) -> None:
    world = payout_world
    monkeypatch.setitem(app.config, "STABLE_POOL_SEED_LAMPORTS", 20 * SOL)
    treasury = _treasury(app)
    world.rpc.confirm(world.rpc.request_airdrop(Pubkey.from_string(treasury), 10 * SOL))
    application_id = _apply(app, "SHRT")
    reply = _approve(client, auth, make_user, application_id)
    html = reply.get_data(as_text=True)
    assert reply.status_code == 422, html
    assert "The treasury wallet holds 10 SOL; launching SHRT needs 20 SOL to open the SHRT pool" in html
    assert not re.search(r"\d{8,}", re.sub(r"[1-9A-HJ-NP-Za-km-z]{32,44}", "", html.split("<main", 1)[-1])), \
        "the refusal shows raw lamports"
    with app.app_context():
        application = get_row(LaunchApplication, application_id)
        assert application.status == "pending" and application.mint is None
        assert db.session.scalar(select(func.count()).where(AuditEntry.action == "launch.approved")) == 0
        assert db.session.scalar(select(func.count()).select_from(BondingCurve)) == 0
        assert db.session.scalar(select(PlatformWallet.id).where(PlatformWallet.name.like("pool_%"))) is None
    assert world.rpc.get_balance(treasury, "confirmed") == 10 * SOL

    # funded, the same application is approved
    world.rpc.confirm(world.rpc.request_airdrop(Pubkey.from_string(treasury), 15 * SOL))
    assert _approve(client, auth, make_user, application_id).status_code == 302


def test_demo_traders_trade_in_a_stable_grounds_pool(payout_world, app, monkeypatch) -> None:
    import random

    from webapp.services import demo
    from webapp.services.trading import demo_trader

    world = payout_world
    monkeypatch.setitem(app.config, "STABLE_POOL_SEED_LAMPORTS", SEED)
    world.rpc.confirm(world.rpc.request_airdrop(Pubkey.from_string(_treasury(app)), 10 * SOL))
    application_id = _apply(app, "HRBR")
    with app.app_context():
        application = get_row(LaunchApplication, application_id)
        launches.review(None, application, approve=True, client=world.rpc)
        launches.launch(application, world.rpc)
        mint = str(application.mint)
        demo._trade_demo_pools(world.rpc, lambda line: None)
        demo._trade_demo_pools(world.rpc, lambda line: None)  # seeding again trades no more
        orders = db.session.scalars(select(TradeOrder).where(TradeOrder.mint == mint)).all()
        assert len(orders) == demo.DEMO_POOL_TRADERS + 1
        assert all(o.status == "confirmed" and o.venue == "pool" for o in orders)
        assert [o.side for o in orders].count("sell") == 1
        assert demo_trader.random_trade(world.rpc, random.Random(3)) is not None  # the simulator trades it too
        row = db.session.scalar(select(BondingCurve).where(BondingCurve.mint == mint))
        assert row is not None and row.pool_token_reserves is not None and row.pool_sol_reserves is not None
        pool = str(platform_wallets.keystore().address(f"pool_{application_id}"))
    assert sum(h.amount for h in world.rpc.get_token_accounts_by_owner(pool, mint=mint)) == row.pool_token_reserves
    assert world.rpc.get_balance(pool, "confirmed") == row.pool_sol_reserves + int(row.pool_fees_lamports)
