"""Launch applications end to end: apply, review, mint created on chain with a fixed supply."""
from __future__ import annotations

import pytest
from solders.keypair import Keypair
from solders.pubkey import Pubkey
from sqlalchemy import func, select

from tests.conftest import get_row
from webapp.chain.localnet.token_layout import decode_mint
from webapp.extensions import db
from webapp.models import AuditEntry, LaunchApplication, Token
from webapp.services import launches, platform_wallets

WILD = {"name": "Momentum Cats", "symbol": "MCAT", "tier": "wild_fires", "description": "Cats.",
        "website": "https://cats.example"}


def apply(client, auth, form: dict[str, str]):
    return client.post("/tokens/new", data={**form, "csrf_token": auth.csrf_token()})


def fund_treasury(world) -> None:
    with world.app.app_context():
        treasury = platform_wallets.ensure_wallet("treasury", "Platform reserves").address
    world.rpc.confirm(world.rpc.request_airdrop(Pubkey.from_string(treasury), 10 * 10**9))


def wallet_address(name: str) -> str:
    """A platform wallet's address (inside an app context); one that was never created fails the test."""
    wallet = platform_wallets.wallet_by_name(name)
    assert wallet is not None, f"no platform wallet {name}"
    return wallet.address


def approve_and_launch(app, client, auth, make_user, application_id: int) -> LaunchApplication:
    from worker.jobs import launch_token

    client.post("/auth/logout", data={"csrf_token": auth.csrf_token()})
    auth.sign_in(make_user("admin"))
    reply = client.post(f"/admin/launches/{application_id}/review",
                        data={"decision": "approve", "csrf_token": auth.csrf_token()})
    assert reply.status_code == 302
    with app.app_context():
        launch_token(application_id)
        return get_row(LaunchApplication, application_id)


def test_wild_fires_launch_creates_a_fixed_supply_mint_in_the_curve_vault(payout_world, app, client, auth,
                                                                          make_user) -> None:
    world = payout_world
    fund_treasury(world)
    auth.sign_in(make_user("member"))
    assert client.get("/tokens/new").status_code == 200
    assert apply(client, auth, WILD).status_code == 302
    assert "pending" in client.get("/tokens/applications").get_data(as_text=True)
    application = approve_and_launch(app, client, auth, make_user, 1)
    assert application.status == "launched" and application.created_signature and application.supply_fixed_signature
    mint = decode_mint(world.rpc.get_account_info(application.mint))
    assert mint is not None and mint.supply == launches.TOTAL_SUPPLY and mint.mint_authority is None
    with app.app_context():
        curve = wallet_address("curve_1")
        token = db.session.scalar(select(Token).where(Token.mint == application.mint))
        assert token is not None, "the launch tracked no token"
        assert token.tier == "wild_fires" and token.symbol == "MCAT"
        assert db.session.scalar(select(func.count()).where(AuditEntry.action == "launch.approved")) == 1
    holdings = world.rpc.get_token_accounts_by_owner(curve, mint=application.mint)
    assert [h.amount for h in holdings] == [launches.TOTAL_SUPPLY]
    page = client.get(f"/tokens/{application.mint}").get_data(as_text=True)
    assert "Momentum Cats" in page
    admin_page = client.get("/admin/launches").get_data(as_text=True)
    assert "Supply fixed" in admin_page and application.supply_fixed_signature[:4] in admin_page


def test_stable_grounds_puts_the_team_share_in_escrow_and_the_rest_in_its_pool(payout_world, app, client, auth,
                                                                               make_user) -> None:
    world = payout_world
    fund_treasury(world)
    auth.sign_in(make_user("member"))
    team = [str(Keypair().pubkey()), str(Keypair().pubkey())]
    form = {**WILD, "symbol": "GRND", "tier": "stable_grounds", "team_percent": "12.5",
            "team_wallets": f"{team[0]} 60\n{team[1]} 40", "cliff_days": "90", "vesting_days": "365",
            "unlock_period_days": "30"}
    assert apply(client, auth, form).status_code == 302
    application = approve_and_launch(app, client, auth, make_user, 1)
    assert application.status == "launched"
    with app.app_context():
        escrow = wallet_address("escrow_1")
        treasury = wallet_address("treasury")
        pool = wallet_address("pool_1")
        split = launches.team_split(application)
    held = {owner: sum(h.amount for h in world.rpc.get_token_accounts_by_owner(owner, mint=application.mint))
            for owner in (escrow, treasury, pool)}
    assert held[escrow] == launches.TOTAL_SUPPLY * 1250 // 10_000
    assert held[escrow] + held[pool] == launches.TOTAL_SUPPLY and held[treasury] == 0  # the public part trades
    assert sum(amount for _, amount in split) == held[escrow]
    assert [wallet for wallet, _ in split] == team and 2 * split[0][1] == 3 * split[1][1]


@pytest.mark.parametrize("change, message", [
    ({"symbol": "m"}, "2 to 10 capital letters"),
    ({"website": "javascript:alert(1)"}, "must start with https://"),
    ({"tier": "stable_grounds", "team_percent": "80", "team_wallets": ""}, "1% to 50%"),
    ({"tier": "stable_grounds", "team_percent": "10", "team_wallets": "nope 1", "vesting_days": "10",
      "cliff_days": "20", "unlock_period_days": "5"}, "not a Solana address"),
    ({"tier": "gold"}, "Not a valid choice"),
])
def test_bad_applications_are_refused_and_write_nothing(app, client, auth, make_user, change, message) -> None:
    auth.sign_in(make_user("member"))
    reply = apply(client, auth, {**WILD, **change})
    assert reply.status_code == 422 and message in reply.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(LaunchApplication)) == 0


def test_duplicate_symbol_rejection_reason_and_gates(app, client, auth, make_user) -> None:
    signed_out = client.get("/tokens/new")  # a visitor is sent to sign in, and back to the form after
    assert signed_out.status_code == 302 and "/auth/sign-in?next=" in signed_out.location
    auth.sign_in(make_user("member"))
    assert apply(client, auth, WILD).status_code == 302
    again = apply(client, auth, WILD)
    assert again.status_code == 422 and "already taken" in again.get_data(as_text=True)
    token = auth.csrf_token()
    assert client.post("/admin/launches/1/review", data={"decision": "approve", "csrf_token": token}).status_code == 403
    client.post("/auth/logout", data={"csrf_token": token})
    auth.sign_in(make_user("admin"))
    no_reason = client.post("/admin/launches/1/review", data={"decision": "reject", "csrf_token": auth.csrf_token()})
    assert no_reason.status_code == 422
    rejected = client.post("/admin/launches/1/review",
                           data={"decision": "reject", "reason": "Too close to an existing name",
                                 "csrf_token": auth.csrf_token()})
    assert rejected.status_code == 302
    with app.app_context():
        application = get_row(LaunchApplication, 1)
        assert application.status == "rejected" and application.reject_reason == "Too close to an existing name"
        assert db.session.scalar(select(func.count()).where(AuditEntry.action == "launch.rejected")) == 1


def test_vesting_preview_follows_the_form(client, auth, make_user) -> None:
    auth.sign_in(make_user("member"))
    headers = {"X-CSRFToken": auth.csrf_token(), "HX-Request": "true"}
    good = client.post("/tokens/new/vesting-preview", headers=headers,
                       data={"cliff_days": "90", "vesting_days": "360", "unlock_period_days": "30"})
    html = good.get_data(as_text=True)
    assert good.status_code == 200 and "<polyline" in html and "10 unlocks" in html and "25.00% at the cliff" in html
    bad = client.post("/tokens/new/vesting-preview", headers=headers,
                      data={"cliff_days": "400", "vesting_days": "360", "unlock_period_days": "30"})
    assert "<polyline" not in bad.get_data(as_text=True) and "cliff" in bad.get_data(as_text=True).lower()
    words = client.post("/tokens/new/vesting-preview", headers=headers, data={"cliff_days": "x"})
    assert "whole days" in words.get_data(as_text=True)


def test_vesting_releases_over_warped_time_sum_to_the_allocation(payout_world, app, client, auth, make_user) -> None:
    from datetime import timedelta

    from webapp.services import vesting_releases
    from webapp.services.payouts import runs
    from webapp.services.vesting import split_among, vested_amount

    world = payout_world
    fund_treasury(world)
    auth.sign_in(make_user("member"))
    team = [str(Keypair().pubkey()), str(Keypair().pubkey()), str(Keypair().pubkey())]
    form = {**WILD, "symbol": "VEST", "tier": "stable_grounds", "team_percent": "10",
            "team_wallets": f"{team[0]} 50\n{team[1]} 30\n{team[2]} 20", "cliff_days": "90", "vesting_days": "360",
            "unlock_period_days": "30"}
    assert apply(client, auth, form).status_code == 302
    mint = approve_and_launch(app, client, auth, make_user, 1).mint
    allocation = launches.TOTAL_SUPPLY // 10

    def held(wallet: str) -> int:
        return sum(h.amount for h in world.rpc.get_token_accounts_by_owner(wallet, mint=mint))

    with app.app_context():
        application = get_row(LaunchApplication, 1)
        assert application.launched_at is not None, "the application was not launched"
        start, schedule = application.launched_at, vesting_releases.schedule_of(application)
        before_cliff = start + timedelta(days=89)
        assert vesting_releases.request_due_releases(application, runs.chain_gateway(), before_cliff) == []
        for day in (90, 91, 200, 200, 359):  # day 91 and the repeated 200 reach no new unlock: nothing asked
            vesting_releases.request_due_releases(application, runs.chain_gateway(), start + timedelta(days=day))
            assert runs.execute_run("escrow_1").status == "done"
        partial = sum(held(wallet) for wallet in team)
        assert 0 < partial <= vested_amount(schedule, start + timedelta(days=359)) < allocation
        vesting_releases.request_due_releases(application, runs.chain_gateway(), start + timedelta(days=400))
        assert runs.execute_run("escrow_1").status == "done"
        escrow = wallet_address("escrow_1")
    expected = split_among(allocation, [(team[0], 50), (team[1], 30), (team[2], 20)])
    assert {wallet: held(wallet) for wallet in team} == expected
    assert sum(expected.values()) == allocation and held(escrow) == 0
    page = client.get(f"/tokens/{mint}").get_data(as_text=True)
    assert "Team vesting" in page and "not verified on chain yet" in page  # the page never asks the chain itself
    with app.app_context():
        from webapp.extensions import solana_client
        from webapp.services.indexer import backfill, reconcile

        backfill.index_now(solana_client(), [backfill.FollowedAddress(str(mint), "mint")])
        assert reconcile.reconcile(solana_client(), str(mint), recheck_pause=0).mismatches == 0
    page = client.get(f"/tokens/{mint}").get_data(as_text=True)
    assert "locked on chain" in page and page.count("100,000,000") >= 2  # allocation, released
