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
    assert signature and signature in page
    profile = client.get(f"/u/{recipient}").get_data(as_text=True)
    assert "Rewards paid on chain" in profile and signature in profile and "2,500,000" in profile


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
