"""The token page's read model (services/token_page.build) over indexed mainnet trades and launches made here."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from solders.keypair import Keypair

from tests.conftest import PUMP_MINT, RAYDIUM_MINT, SUPPLY
from webapp.extensions import db
from webapp.models import (
    BondingCurve,
    HolderAccount,
    HolderMismatch,
    LaunchApplication,
    PlatformWallet,
    ReconciliationRun,
    Token,
    User,
)
from webapp.services import bonding_curve, token_page
from webapp.services.indexer import reads
from webapp.services.indexer.candles import Price

TEAM = 100_000_000 * 10**6  # 10% of the supply, in the Stable Grounds token's escrow
SOLD = bonding_curve.CurveParams.DEFAULT.sellable_tokens // 4
LAUNCHED_AT = datetime(2024, 9, 1, tzinfo=UTC)


def address() -> str:
    return str(Keypair().pubkey())


def platform_wallet(name: str) -> str:
    wallet = PlatformWallet(name=name, address=address())
    db.session.add(wallet)
    return wallet.address


def holds(mint: str, owner: str, amount: int) -> None:
    db.session.add(HolderAccount(account=address(), mint=mint, owner=owner, amount=amount, slot=1, stale=False))


def launched(mint: str, tier: str, **terms: object) -> LaunchApplication:
    applicant = User(wallet=address())
    db.session.add(applicant)
    db.session.flush()
    launch = LaunchApplication(applicant=applicant, name=mint[:6], symbol=mint[:4], tier=tier, status="launched",
                               mint=mint, created_signature="5" * 88, supply_fixed_signature="6" * 88,
                               links={"website": "https://example.org"}, launched_at=LAUNCHED_AT, **terms)
    db.session.add(launch)
    db.session.flush()
    return launch


def curve_token(mint: str, phase: str = "curve") -> BondingCurve:
    """RAYDIUM_MINT launched here with a quarter of its curve sold (or graduated), staking and a fund."""
    params = bonding_curve.CurveParams.DEFAULT
    launch = launched(mint, "wild_fires")
    state = bonding_curve.quote_buy_exact_tokens(bonding_curve.CurveState.initial(params), params, SOLD).new_state
    curve = BondingCurve(
        mint=mint, launch_id=launch.id, vault_wallet=f"curve_{launch.id}", pool_wallet=f"pool_{launch.id}",
        virtual_sol=params.virtual_sol, virtual_tokens=params.virtual_tokens, sellable_tokens=params.sellable_tokens,
        total_supply=params.total_supply, fee_bps=params.fee_bps,
        graduation_fee_lamports=params.graduation_fee_lamports,
        virtual_sol_reserves=state.virtual_sol_reserves, virtual_token_reserves=state.virtual_token_reserves,
        real_sol_reserves=state.real_sol_reserves, real_token_reserves=state.real_token_reserves,
        tokens_sold=state.tokens_sold, phase=phase)
    if phase == "pool":
        curve.pool_sol_reserves, curve.pool_token_reserves = 85 * 10**9, 206_900_000 * 10**6
        curve.graduation_signature, curve.graduated_at = "7" * 88, LAUNCHED_AT + timedelta(days=2)
    db.session.add(curve)
    holds(mint, platform_wallet(f"curve_{launch.id}"), SUPPLY // 2)
    platform_wallet(f"pool_{launch.id}")
    token_id = db.session.scalar(db.select(Token.id).where(Token.mint == mint))
    holds(mint, platform_wallet(f"stake_{token_id}"), 1_500 * 10**6)
    holds(mint, platform_wallet(f"fund_{token_id}"), 250 * 10**6)
    db.session.commit()
    return curve


def stable_token(mint: str) -> str:
    """PUMP_MINT launched here as Stable Grounds: 10% to two team wallets, a year's vesting after a 90-day cliff."""
    launch = launched(mint, "stable_grounds", team_allocation_bps=1000, team_wallets=[[address(), 1], [address(), 1]],
                      cliff_days=90, vesting_days=360, unlock_period_days=30)
    escrow = platform_wallet(f"escrow_{launch.id}")
    holds(mint, escrow, TEAM)
    db.session.commit()
    return escrow


def reconciled(mint: str, finished: datetime, *, error: str | None = None, differing_owner: str | None = None) -> None:
    run = ReconciliationRun(mint=mint, started_at=finished - timedelta(seconds=5), finished_at=finished, error=error)
    db.session.add(run)
    db.session.flush()
    if differing_owner:
        db.session.add(HolderMismatch(run_id=run.id, mint=mint, account=address(), owner=differing_owner,
                                      indexed_amount=TEAM, chain_amount=0))
    db.session.commit()


def test_a_curve_token_page_has_its_market_curve_and_staking(app: Flask, indexed: None) -> None:
    with app.app_context():
        traders = reads.holder_count(RAYDIUM_MINT)
        curve = curve_token(RAYDIUM_MINT)
        page = token_page.build(RAYDIUM_MINT)
        assert page.title == "Raydium Pump" and page.token.symbol == "RPUMP"
        assert page.market is not None and page.market.price == Price(5096440, 158742070732)
        assert page.market.market_cap_lamports == 32105162648
        assert [row["label"] for row in page.trades] == ["buy"] * 5  # newest first, as the live feed draws them
        assert page.chart.interval == "5m" and page.chart.intervals == ("1m", "5m", "1h", "1d")
        assert page.chart.drawing is not None and len(page.chart.drawing.candles) == 1
        assert page.venue is not None and page.venue.curve.id == curve.id
        assert page.venue.progress is not None and page.venue.progress.sold_bps == 2500
        assert page.venue.progress.raised_lamports == curve.real_sol_reserves > 0
        assert page.staking == token_page.StakingTotals(staked=1_500 * 10**6, fund=250 * 10**6)
        assert page.launch == token_page.LaunchFacts("5" * 88, "6" * 88, {"website": "https://example.org"})
        assert page.vesting is None
        labelled = {row.label: row for row in page.holders if row.label}
        assert labelled.keys() == {"curve vault", "stake escrow", "community fund"}
        assert labelled["curve vault"].amount == SUPPLY // 2 and labelled["curve vault"].share == "50.0000"
        assert page.holder_count == traders + 3  # the vault, the stake escrow and the fund
        assert token_page.build(RAYDIUM_MINT, "1d").chart.interval == "1d"
    html = app.test_client().get(f"/tokens/{RAYDIUM_MINT}").get_data(as_text=True)
    assert "Trade on the curve" in html and "25% of the curve sold" in html
    assert 'data-testid="staked-total">1,500 <span class="muted">RPUMP</span>' in html


def test_a_graduated_token_trades_in_its_pool(app: Flask, indexed: None) -> None:
    with app.app_context():
        curve_token(RAYDIUM_MINT, phase="pool")
        page = token_page.build(RAYDIUM_MINT)
        assert page.venue is not None and page.venue.curve.phase == "pool" and page.venue.progress is None
        assert page.venue.curve.pool_sol_reserves == 85 * 10**9
    html = app.test_client().get(f"/tokens/{RAYDIUM_MINT}").get_data(as_text=True)
    assert "Trade in the pool" in html and "of the curve sold" not in html and "<dd>85 SOL</dd>" in html
    assert "<b>Graduated</b>" in html and "the pool opened 03 Sep 2024 00:00 UTC" in html


def test_a_stable_grounds_page_reads_the_escrow_from_the_index(app: Flask, indexed: None) -> None:
    with app.app_context():
        escrow = stable_token(PUMP_MINT)
        page = token_page.build(PUMP_MINT)
        vesting = page.vesting
        assert vesting is not None and page.venue is None and page.staking is not None
        assert (vesting.total, vesting.released, vesting.locked) == (TEAM, 0, TEAM)
        assert vesting.escrow_address == escrow and vesting.escrow_held == TEAM
        assert vesting.escrow_check.checked_at is None and not vesting.locked_on_chain  # never reconciled yet
        checked = datetime(2024, 9, 20, 12, 30, tzinfo=UTC)
        reconciled(PUMP_MINT, checked)
        vesting = token_page.build(PUMP_MINT).vesting
        assert vesting is not None and vesting.locked_on_chain and vesting.escrow_check.checked_at == checked
        reconciled(PUMP_MINT, checked + timedelta(hours=1), error="RPC down")  # a failed run proves nothing
        assert token_page.build(PUMP_MINT).vesting == vesting
    html = app.test_client().get(f"/tokens/{PUMP_MINT}").get_data(as_text=True)
    assert "locked on chain" in html and '<dd data-testid="escrow-checked">20 Sep 2024 12:30 UTC</dd>' in html
    assert '<dd data-testid="escrow-held">100,000,000</dd>' in html


@pytest.mark.parametrize("differs, held, status", [
    (True, TEAM, "escrow differs from the chain"),
    (False, TEAM - 1, "escrow below the locked amount"),
])
def test_the_vesting_panel_says_what_the_last_check_found(app: Flask, indexed: None, differs: bool, held: int,
                                                          status: str) -> None:
    with app.app_context():
        escrow = stable_token(PUMP_MINT)
        if held != TEAM:
            account = db.session.scalar(db.select(HolderAccount).where(HolderAccount.owner == escrow))
            account.amount = held
        reconciled(PUMP_MINT, datetime.now(UTC), differing_owner=escrow if differs else None)
        vesting = token_page.build(PUMP_MINT).vesting
        assert vesting is not None and not vesting.locked_on_chain
    html = app.test_client().get(f"/tokens/{PUMP_MINT}").get_data(as_text=True)
    assert status in html and "locked on chain" not in html


class ChainCalled(AssertionError):
    pass


class RaisingClient:
    """Stands where the app's RPC client would: any call fails the test."""

    def __getattr__(self, name: str) -> object:
        raise ChainCalled(f"the page called the chain: {name}")


def test_token_pages_render_without_the_chain(app: Flask, indexed: None) -> None:
    with app.app_context():
        stable_token(PUMP_MINT)
        reconciled(PUMP_MINT, datetime.now(UTC))
    saved = app.config["SOLANA_RPC_URLS"]
    app.config["SOLANA_RPC_URLS"] = ["http://127.0.0.1:9"]  # set, so nothing skips the chain for want of a URL
    app.extensions["momentum_solana"] = RaisingClient()
    try:
        client = app.test_client()
        for path in (f"/tokens/{PUMP_MINT}", f"/tokens/{RAYDIUM_MINT}", f"/tokens/{PUMP_MINT}/chart?interval=1h"):
            reply = client.get(path)
            assert reply.status_code == 200, path
        assert "locked on chain" in client.get(f"/tokens/{PUMP_MINT}").get_data(as_text=True)
    finally:
        app.config["SOLANA_RPC_URLS"] = saved
        app.extensions.pop("momentum_solana", None)


def test_the_chart_link_without_javascript_shows_the_page_at_that_interval(app: Flask, client, indexed: None) -> None:
    html = client.get(f"/tokens/{RAYDIUM_MINT}/chart?interval=1d").get_data(as_text=True)
    assert '<a href="/tokens/' + RAYDIUM_MINT + '/chart?interval=1d"' in html and "Top holders" in html
    assert 'aria-current="true">1d</a>' in html and 'aria-label="Price candles and volume at 1d,' in html
    assert 'aria-current="true">5m</a>' in client.get(f"/tokens/{RAYDIUM_MINT}").get_data(as_text=True)


def test_unknown_mints_are_404_on_the_page_and_its_chart(client) -> None:
    assert client.get(f"/tokens/{RAYDIUM_MINT}/chart?interval=1h", headers={"HX-Request": "true"}).status_code == 404
    assert client.get(f"/tokens/{RAYDIUM_MINT}/chart?interval=1h").status_code == 404


def test_the_interval_must_be_known(app: Flask, indexed: None) -> None:
    with app.app_context(), pytest.raises(ValueError, match="Unknown interval"):
        token_page.chart(RAYDIUM_MINT, "7y")


def test_reconciliation_always_checks_the_platform_wallets(app: Flask, indexed: None,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    from webapp.services.indexer import reconcile

    monkeypatch.setattr(reconcile, "MAX_OWNERS", 1)
    with app.app_context():
        escrow = stable_token(PUMP_MINT)
        account = db.session.scalar(db.select(HolderAccount).where(HolderAccount.owner == escrow))
        account.amount = 1  # the smallest holder: the largest-holders limit alone would leave it out
        db.session.commit()
        largest = reads.top_holders(PUMP_MINT, 1)[0].owner
        assert reconcile.owners_to_check(PUMP_MINT) == [escrow, largest]
