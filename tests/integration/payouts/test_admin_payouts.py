"""Admin pages for wallets and payouts, and the recipient's view on their profile."""
from __future__ import annotations

import re

from solders.keypair import Keypair
from sqlalchemy import func, select

from webapp.extensions import db
from webapp.models import AuditEntry, Payout, PlatformWallet
from webapp.services.payouts import runs


def send_form(client, auth) -> dict[str, str]:
    html = client.get("/admin/wallets").get_data(as_text=True)
    request_id = re.search(r'name="request_id" type="hidden" value="([0-9a-f]+)"', html)
    assert request_id, "the send form carries a request id"
    return {"csrf_token": auth.csrf_token(), "request_id": request_id.group(1)}


def test_wallets_page_reads_balances_from_chain(payout_world, client, auth, make_user) -> None:
    world = payout_world
    world.fund(123_450_000, lamports=2 * 10**9)
    auth.sign_in(make_user("admin"))
    html = client.get("/admin/wallets").get_data(as_text=True)
    assert str(world.wallet) in html and "payout_hot" in html
    assert "123.45" in html  # 123,450,000 base units at 6 decimals
    assert "2</strong> SOL" in html


def test_admin_sends_tokens_through_the_engine_once(payout_world, app, client, auth, make_user) -> None:
    world = payout_world
    world.fund(10_000_000)
    auth.sign_in(make_user("admin"))
    member = make_user("member")
    recipient = str(member.pubkey())
    form = {**send_form(client, auth), "wallet": "payout_hot", "recipient": recipient, "mint": str(world.mint),
            "amount": "2.5"}
    first = client.post("/admin/wallets/send", data=form)
    again = client.post("/admin/wallets/send", data=form)  # a double submit of the same form
    assert first.status_code == again.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Payout)) == 1
        assert db.session.scalar(select(Payout.amount)) == 2_500_000
        assert db.session.scalar(select(func.count()).where(AuditEntry.action == "wallet.tokens_sent")) == 2
        run = runs.execute_run("payout_hot")
        assert run.status == "done"
    assert world.token_balance(recipient) == 2_500_000
    page = client.get("/admin/payouts").get_data(as_text=True)
    assert "confirmed" in page and recipient[:4] in page
    with app.app_context():
        signature = db.session.scalar(select(Payout.signature))
        assert db.session.scalar(select(Payout.decimals)) == 6  # kept from the mint when the payout was asked for
    assert signature and signature in page
    # the mint is not tracked, yet both pages read token units from the row's decimals, never base units
    short_mint = f"{str(world.mint)[:4]}…{str(world.mint)[-4:]}"
    assert f"2.5 {short_mint}" in page
    assert "base units" not in page and "2,500,000" not in page and "2500000" not in page
    profile = client.get(f"/u/{recipient}").get_data(as_text=True)
    assert "Sent by the team" in profile and signature in profile and "2,500,000" not in profile
    assert "2.5 <a" in profile and "(untracked token)" not in profile


def test_bad_sends_are_refused_and_write_nothing(payout_world, app, client, auth, make_user) -> None:
    world = payout_world
    auth.sign_in(make_user("admin"))
    base = {**send_form(client, auth), "wallet": "payout_hot", "recipient": str(Keypair().pubkey()),
            "mint": str(world.mint)}
    for change, message in (
        ({"amount": "0"}, "above zero"),
        ({"amount": "1.0000001"}, "6 decimals"),
        ({"amount": "lots"}, "must be a number"),
        ({"recipient": "xyz", "amount": "1"}, "not a valid Solana address"),
        ({"mint": str(Keypair().pubkey()), "amount": "1"}, "not a token mint"),
        ({"wallet": "ghost", "amount": "1"}, "Not a valid choice"),
    ):
        reply = client.post("/admin/wallets/send", data={**base, **change})
        assert reply.status_code == 422, change
        assert message in reply.get_data(as_text=True), change
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Payout)) == 0
        assert db.session.scalar(select(func.count()).where(AuditEntry.action == "wallet.tokens_sent")) == 0


def test_create_wallet_page_and_bad_names(payout_world, app, client, auth, make_user) -> None:
    auth.sign_in(make_user("admin"))
    token = auth.csrf_token()
    ok = client.post("/admin/wallets",
                     data={"csrf_token": token, "create-name": "treasury", "create-purpose": "reserves"})
    assert ok.status_code == 302
    for name in ("treasury", "Bad Name!", "x"):
        reply = client.post("/admin/wallets", data={"csrf_token": token, "create-name": name})
        assert reply.status_code == 422
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(PlatformWallet)) == 2  # payout_hot + treasury
        assert db.session.scalar(select(func.count()).where(AuditEntry.action == "wallet.created")) == 2


def test_members_cannot_reach_treasury_pages(payout_world, client, auth, make_user) -> None:
    auth.sign_in(make_user("member"))
    token = auth.csrf_token()
    for path in ("/admin/wallets", "/admin/payouts", "/admin/payouts/runs/1"):
        assert client.get(path).status_code == 403
    for path in ("/admin/wallets", "/admin/wallets/send", "/admin/payouts/run", "/admin/payouts/retry"):
        assert client.post(path, data={"csrf_token": token}).status_code == 403


def test_health_solana_reports_the_local_chain(payout_world, client) -> None:
    reply = client.get("/health/solana")
    body = reply.get_json()
    assert reply.status_code == 200, body
    assert body["status"] == "ok" and body["endpoints"][0]["ok"] is True and body["endpoints"][0]["slot"] > 0


def test_failed_payouts_can_be_retried_by_an_admin(payout_world, app, client, auth, make_user) -> None:
    from webapp.services.payouts.requests import PayoutRequest, request_payouts

    world = payout_world
    world.fund(500)
    recipient = str(Keypair().pubkey())
    with app.app_context():
        [row] = request_payouts([PayoutRequest("payout_hot", recipient, str(world.mint), 500, "bounty", "b1", "b1")],
                                runs.chain_gateway())
        row.status, row.failure_reason = "failed", "Refused by the chain: example"
        db.session.commit()
    auth.sign_in(make_user("admin"))
    page = client.get("/admin/payouts?status=failed").get_data(as_text=True)
    assert "Refused by the chain: example" in page and "Retry selected" in page
    assert client.post("/admin/payouts/retry", data={"csrf_token": auth.csrf_token()}).status_code == 422
    reply = client.post("/admin/payouts/retry", data={"csrf_token": auth.csrf_token(), "payout_id": "1"})
    assert reply.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(Payout.status)) == "pending"
        assert db.session.scalar(select(func.count()).where(AuditEntry.action == "payout.retried")) == 1
        assert runs.execute_run("payout_hot").status == "done"
    assert world.token_balance(recipient) == 500


def test_run_payouts_now_defaults_to_the_payout_wallet(payout_world, app, client, auth, make_user) -> None:
    from webapp.services import platform_wallets

    with app.app_context():
        platform_wallets.create_wallet("curve_1", "a curve vault, listed before payout_hot")
    auth.sign_in(make_user("admin"))
    run_form = re.compile(r'action="/admin/payouts/run".*?</form>', re.S)

    def chosen(page: str) -> list[str]:
        form = run_form.search(page)
        assert form, "the page has the run form"
        return re.findall(r'<option value="([^"]+)" selected>', form.group(0))

    assert app.config["PAYOUT_WALLET"] == "payout_hot"
    assert chosen(client.get("/admin/payouts").get_data(as_text=True)) == ["payout_hot"]
    assert chosen(client.get("/admin/payouts?wallet=curve_1").get_data(as_text=True)) == ["curve_1"]


def test_admin_sends_sol_through_the_engine_once(payout_world, app, client, auth, make_user) -> None:
    from webapp.services.payouts.gateway import NATIVE_SOL

    world = payout_world
    world.fund(1, lamports=3 * 10**9)
    auth.sign_in(make_user("admin"))
    recipient = str(Keypair().pubkey())  # a wallet the chain has never seen
    form = {**send_form(client, auth), "wallet": "payout_hot", "recipient": recipient, "mint": "sol", "amount": "1.5"}
    first = client.post("/admin/wallets/send", data=form)
    again = client.post("/admin/wallets/send", data=form)  # a double submit of the same form
    assert first.status_code == again.status_code == 302
    with app.app_context():
        [payout] = db.session.scalars(select(Payout)).all()
        assert (payout.mint, payout.amount, payout.reason) == (NATIVE_SOL, 1_500_000_000, "manual")
        assert db.session.scalar(select(func.count()).where(AuditEntry.action == "wallet.sol_sent")) == 2
        assert runs.execute_run("payout_hot").status == "done"
        assert runs.execute_run("payout_hot").status == "done"  # a second run pays nothing again
    assert world.rpc.get_balance(recipient) == 1_500_000_000
    page = client.get("/admin/payouts").get_data(as_text=True)
    assert "confirmed" in page and "1.5 SOL" in page and "1,500,000,000" not in page


def test_bad_sol_sends_are_refused_and_a_short_wallet_pays_nothing(payout_world, app, client, auth,
                                                                   make_user) -> None:
    world = payout_world
    world.fund(1, lamports=2 * 10**9)
    auth.sign_in(make_user("admin"))
    base = {**send_form(client, auth), "wallet": "payout_hot", "recipient": str(Keypair().pubkey()), "mint": "SOL"}
    for amount, message in (("0.0000000001", "9 decimals"), ("0.0001", "at least 0.00089088 SOL"), ("0", "above zero")):
        reply = client.post("/admin/wallets/send", data={**base, "amount": amount})
        assert reply.status_code == 422 and message in reply.get_data(as_text=True), amount
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Payout)) == 0
    assert client.post("/admin/wallets/send", data={**base, "amount": "5"}).status_code == 302
    with app.app_context():
        run = runs.execute_run("payout_hot")
        assert run.status == "halted" and "SOL payouts" in (run.halt_reason or "")
        assert db.session.scalar(select(Payout.status)) == "pending"
    assert world.rpc.get_balance(base["recipient"]) == 0
