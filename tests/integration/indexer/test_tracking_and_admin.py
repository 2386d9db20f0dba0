"""Tracking a mint from the CLI and /admin/chain; bad input refused with nothing written; admin access."""
from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from solders.keypair import Keypair
from solders.signature import Signature
from sqlalchemy import func, select

from tests.conftest import get_row
from tests.integration.indexer.conftest import make_token_world
from webapp.chain import spl
from webapp.chain.rpc import SolanaRpcClient
from webapp.extensions import db, redis_client
from webapp.models import AuditEntry, ChainCheckpoint, IndexFailure, Token
from webapp.services.indexer import dead_letters, queueing, status


def _count(model: type) -> int:
    return int(db.session.scalar(select(func.count()).select_from(model)) or 0)


def test_cli_tracks_a_mint_and_backfills(chain_app: Flask, rpc: SolanaRpcClient) -> None:
    world = make_token_world(rpc)
    result = chain_app.test_cli_runner().invoke(args=["tokens", "track", str(world.mint_key), "--symbol", "CLI",
                                                      "--tier", "wild_fires", "--backfill"])
    assert result.exit_code == 0, result.output
    assert "6 decimals" in result.output and "indexed 1 transaction" in result.output
    with chain_app.app_context():
        token = db.session.scalar(select(Token))
        assert token is not None, "the CLI tracked no token"
        assert (token.symbol, token.tier, token.program, int(token.supply)) == (
            "CLI", "wild_fires", "token", world.supply)
        assert db.session.get(ChainCheckpoint, token.mint) is not None


@pytest.mark.parametrize("case", ["malformed", "no_account", "not_a_mint", "token_account", "tracked"])
def test_bad_mints_are_refused_and_nothing_is_written(chain_app: Flask, rpc: SolanaRpcClient, case: str) -> None:
    world = make_token_world(rpc)
    runner = chain_app.test_cli_runner()
    if case == "tracked":
        assert runner.invoke(args=["tokens", "track", str(world.mint_key)]).exit_code == 0
    address = {
        "malformed": "not-a-mint-0OIl",
        "no_account": str(Keypair().pubkey()),
        "not_a_mint": str(world.payer.pubkey()),  # a wallet: owned by the system program
        "token_account": str(spl.token_account(world.payer.pubkey(), world.mint_key)),
        "tracked": str(world.mint_key),
    }[case]
    expected = {"malformed": "is not a Solana address", "no_account": "No account exists",
                "not_a_mint": "is not a token mint", "token_account": "is a token account, not a mint",
                "tracked": "already tracked"}[case]
    with chain_app.app_context():
        before = (_count(Token), _count(ChainCheckpoint), _count(AuditEntry))
    result = runner.invoke(args=["tokens", "track", address])
    assert result.exit_code != 0 and expected in result.output
    with chain_app.app_context():
        assert (_count(Token), _count(ChainCheckpoint), _count(AuditEntry)) == before


@pytest.mark.parametrize(("role", "status_code"), [(None, 401), ("member", 403), ("moderator", 403)])
def test_chain_page_is_for_admins_only(client: FlaskClient, auth, make_user, role: str | None,
                                       status_code: int) -> None:
    if role:
        auth.sign_in(make_user(role))
    for path in ("/admin/chain", "/admin/chain/status"):
        assert client.get(path).status_code == status_code
    token = auth.csrf_token()
    for path in ("/admin/chain/track", "/admin/chain/dead-letters/retry", "/admin/chain/reconcile"):
        assert client.post(path, data={"csrf_token": token, "mint": "x"}).status_code == status_code


def _csrf(html: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'name="csrf_token" value="([^"]+)"', html)
    assert match
    return match.group(1)


def test_admin_tracks_a_mint_and_sees_the_index(chain_app: Flask, rpc: SolanaRpcClient, client: FlaskClient,
                                               auth, make_user) -> None:
    world = make_token_world(rpc)
    auth.sign_in(make_user("admin"))
    page = client.get("/admin/chain").get_data(as_text=True)
    assert "Track a mint" in page and "not running" in page and "No mint is tracked yet" in page
    token = _csrf(page)

    bad = client.post("/admin/chain/track", data={"csrf_token": token, "mint": str(Keypair().pubkey())})
    assert bad.status_code == 422 and "No account exists" in bad.get_data(as_text=True)
    assert client.post("/admin/chain/track", data={"mint": str(world.mint_key)}).status_code == 400  # no CSRF
    with chain_app.app_context():
        assert _count(Token) == 0

    good = client.post("/admin/chain/track", data={"csrf_token": token, "mint": str(world.mint_key),
                                                   "name": "<b>Bold</b>", "symbol": "ADM", "tier": ""})
    assert good.status_code == 302
    again = client.post("/admin/chain/track", data={"csrf_token": token, "mint": str(world.mint_key)})
    assert again.status_code == 422 and "already tracked" in again.get_data(as_text=True)
    other = make_token_world(rpc)
    same_symbol = client.post("/admin/chain/track", data={"csrf_token": token, "mint": str(other.mint_key),
                                                          "symbol": "adm"})
    assert same_symbol.status_code == 422 and "already taken" in same_symbol.get_data(as_text=True)

    with chain_app.app_context():
        status.write_status(redis_client(), {"state": "live", "subscriptions": 3, "reconnects": 0, "chain_slot": 120,
                                             "synced_slot": 118, "ws_url": "ws://127.0.0.1:8900"}, 30)
        point = get_row(ChainCheckpoint, str(world.mint_key))
        point.backfill_total, point.backfill_done = 40, 10
        dead_letters.record({str(Signature.new_unique()): "database error: <script>alert(1)</script>"})
        db.session.commit()
        audit_count = db.session.scalar(select(func.count()).where(AuditEntry.action == "token.tracked"))
        assert audit_count == 1
    page = client.get("/admin/chain").get_data(as_text=True)
    assert "ADM" in page and "live" in page and "Slot lag" in page and ">2<" in page
    assert '<progress class="bar" max="40" value="10">' in page
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page
    assert "<b>Bold</b>" not in page
    fragment = client.get("/admin/chain/status", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert fragment.startswith('\n<section id="chain-status"') or 'id="chain-status"' in fragment[:200]


def test_admin_retries_a_dead_letter(chain_app: Flask, client: FlaskClient, auth, make_user) -> None:
    auth.sign_in(make_user("admin"))
    signature = str(Signature.new_unique())
    with chain_app.app_context():
        dead_letters.record({signature: "getTransaction found nothing at confirmed commitment"})
        db.session.commit()
        failure_id = db.session.scalar(select(IndexFailure.id))
    token = _csrf(client.get("/admin/chain").get_data(as_text=True))
    assert client.post("/admin/chain/dead-letters/retry", data={"csrf_token": token}).status_code == 422
    reply = client.post("/admin/chain/dead-letters/retry", data={"csrf_token": token, "dead_letter_id": failure_id})
    assert reply.status_code == 302
    with chain_app.app_context():
        assert db.session.scalar(select(IndexFailure.retried_at)) is not None
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "chain.dead_letters_retried"))
        assert entry is not None and entry.details["signatures"] == [signature]
        jobs = queueing.queue().get_jobs()
        assert [job.args for job in jobs] == [([signature], None)]
