"""Sign In With Solana end to end through the HTTP endpoints."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from solders.keypair import Keypair
from sqlalchemy import func, select, update

from webapp.extensions import db
from webapp.models import SignInNonce, User


def count(app, model) -> int:
    with app.app_context():
        return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def test_nonce_message_names_every_field(client) -> None:
    wallet = str(Keypair().pubkey())
    body = client.get("/auth/nonce", query_string={"wallet": wallet}).get_json()
    message = body["message"]
    assert message.startswith("localhost wants you to sign in with your Solana account:\n" + wallet + "\n")
    for label in ("URI: http://localhost", "Version: 1", "Chain ID: localnet", f"Nonce: {body['nonce']}",
                  "Issued At: ", "Expiration Time: "):
        assert label in message


def test_valid_sign_in_creates_member_and_session(app, client, auth) -> None:
    keypair = auth.sign_in()
    with app.app_context():
        user = db.session.scalar(select(User).where(User.wallet == str(keypair.pubkey())))
        assert user is not None and user.role == "member" and user.last_sign_in_at is not None
        assert db.session.scalar(select(SignInNonce.used_at)) is not None
    home = client.get("/").get_data(as_text=True)
    short = f"{str(keypair.pubkey())[:4]}…{str(keypair.pubkey())[-4:]}"
    assert short in home and "Sign out" in home
    cookie = client.get_cookie("session")
    assert cookie is not None and cookie.http_only


def test_sign_out_ends_the_session(client, auth) -> None:
    auth.sign_in()
    token = auth.csrf_token()
    assert client.post("/auth/logout", data={"csrf_token": token}).status_code == 302
    assert "Sign in with wallet" in client.get("/").get_data(as_text=True)


def test_admin_wallets_become_admins_on_sign_in(app, client, auth) -> None:
    keypair = Keypair()
    app.config["ADMIN_WALLETS"] = {str(keypair.pubkey())}
    try:
        auth.sign_in(keypair)
    finally:
        app.config["ADMIN_WALLETS"] = set()
    assert client.get("/admin/").status_code == 200


def _signed(auth, keypair=None, signer=None):
    keypair = keypair or Keypair()
    message = auth.challenge(keypair)["message"]
    signature = (signer or keypair).sign_message(message.encode())
    return keypair, message, str(signature)


@pytest.mark.parametrize(
    "tamper, reason",
    [
        (lambda k, m, s: (k, m, "notbase58!!"), "not valid base58"),
        (lambda k, m, s: (k, m, "2" * 40), "64 bytes"),
        (lambda k, m, s: ("0OIl" + k[4:], m, s), "not valid base58"),
        (lambda k, m, s: (k[:-3], m, s), "32-byte"),
        (lambda k, m, s: (k, m.replace("Nonce: ", "Nonce: x"), s), "not issued by this site"),
        (lambda k, m, s: (k, "hello", s), "not a Sign In With Solana message"),
        (lambda k, m, s: (k, m.replace("localhost wants", "evil.example wants"), s), "another site"),
        (lambda k, m, s: (k, m.replace("URI: http://localhost", "URI: http://evil.example"), s), "uri differs"),
        (lambda k, m, s: (k, m.replace("Version: 1", "Version: 2"), s), "version differs"),
        (lambda k, m, s: (str(Keypair().pubkey()), m, s), "different wallet"),
        (lambda k, m, s: (k, m, None), "signature is required"),
    ],
)
def test_attacks_are_refused_and_write_nothing(app, auth, tamper, reason) -> None:
    keypair, message, signature = _signed(auth)
    wallet, message, signature = tamper(str(keypair.pubkey()), message, signature)
    reply = auth.verify(wallet, message, signature)
    assert reply.status_code == 400
    assert reason in reply.get_json()["error"]["message"]
    assert count(app, User) == 0
    with app.app_context():
        assert db.session.scalar(select(SignInNonce.used_at)) is None


def test_signature_by_another_key_is_refused(app, auth) -> None:
    keypair, message, signature = _signed(auth, signer=Keypair())
    reply = auth.verify(str(keypair.pubkey()), message, signature)
    assert reply.status_code == 400
    assert "does not match" in reply.get_json()["error"]["message"]
    assert count(app, User) == 0


def test_replayed_nonce_is_refused(app, auth) -> None:
    keypair, message, signature = _signed(auth)
    assert auth.verify(str(keypair.pubkey()), message, signature).status_code == 200
    replay = auth.verify(str(keypair.pubkey()), message, signature)
    assert replay.status_code == 400
    assert "already been used" in replay.get_json()["error"]["message"]


def test_expired_nonce_is_refused(app, auth) -> None:
    keypair, message, signature = _signed(auth)
    with app.app_context():
        db.session.execute(update(SignInNonce).values(expires_at=datetime.now(UTC) - timedelta(seconds=1)))
        db.session.commit()
    reply = auth.verify(str(keypair.pubkey()), message, signature)
    assert reply.status_code == 400
    assert "expired" in reply.get_json()["error"]["message"]
    assert count(app, User) == 0


def test_missing_csrf_token_is_refused(app, auth) -> None:
    keypair, message, signature = _signed(auth)
    reply = auth.verify(str(keypair.pubkey()), message, signature, token="")
    assert reply.status_code == 400
    assert "security token" in reply.get_json()["error"]["message"]
    assert count(app, User) == 0


def test_nonce_refuses_bad_wallets_without_writing(app, client) -> None:
    for wallet in ("", "short", "0" * 44):
        reply = client.get("/auth/nonce", query_string={"wallet": wallet})
        assert reply.status_code == 400
        assert reply.get_json()["error"]["message"]
    assert count(app, SignInNonce) == 0


def test_sign_in_is_rate_limited(app, client) -> None:
    app.config["RATELIMIT_SIGN_IN"] = "3 per minute"
    try:
        wallet = str(Keypair().pubkey())
        codes = [client.get("/auth/nonce", query_string={"wallet": wallet}).status_code for _ in range(5)]
    finally:
        app.config["RATELIMIT_SIGN_IN"] = "20 per minute"
    assert codes == [200, 200, 200, 429, 429]
    assert count(app, SignInNonce) == 3
