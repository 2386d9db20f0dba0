"""Shared fixtures. Unit tests use none of the server fixtures; integration and
browser tests run against the real PostgreSQL and Redis named by DATABASE_URL
and REDIS_URL (`make test` starts embedded ones when they are not set)."""
from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Callable, Iterator
from html import unescape
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from solders.keypair import Keypair

if TYPE_CHECKING:
    from solders.signature import Signature

    from webapp.chain.rpc import SolanaRpcClient

TEST_DATABASE = "momentum_test"
TEST_REDIS_DB = 1


def _libpq_url(sqlalchemy_url: str, database: str) -> str:
    parts = urlsplit(sqlalchemy_url.replace("postgresql+psycopg://", "postgresql://", 1))
    return urlunsplit(parts._replace(path=f"/{database}"))


def redis_url_with_db(url: str, db: int) -> str:
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    if parts.scheme == "unix":
        query["db"] = str(db)
        return f"unix://{parts.path}?{urlencode(query)}"
    query.pop("db", None)
    return urlunsplit(parts._replace(path=f"/{db}", query=urlencode(query)))


@pytest.fixture(scope="session")
def database_url() -> str:
    base = os.environ.get("DATABASE_URL")
    if not base:
        pytest.skip("DATABASE_URL is not set: run the suite with `make test`")
    import psycopg

    with psycopg.connect(_libpq_url(base, "postgres"), autocommit=True) as conn:
        conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (TEST_DATABASE,)
        )
        conn.execute(f'DROP DATABASE IF EXISTS "{TEST_DATABASE}"')
        conn.execute(f'CREATE DATABASE "{TEST_DATABASE}"')
    return _libpq_url(base, TEST_DATABASE).replace("postgresql://", "postgresql+psycopg://", 1)


@pytest.fixture(scope="session")
def redis_url() -> str:
    base = os.environ.get("REDIS_URL")
    if not base:
        pytest.skip("REDIS_URL is not set: run the suite with `make test`")
    return redis_url_with_db(base, TEST_REDIS_DB)


@pytest.fixture(scope="session")
def app(database_url: str, redis_url: str) -> Iterator[Flask]:
    from flask_migrate import upgrade

    from webapp import create_app
    from webapp.config import _limiter_storage

    application = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": database_url,
            "REDIS_URL": redis_url,
            "RATELIMIT_STORAGE_URI": _limiter_storage(redis_url),
            "SOLANA_RPC_URLS": [],
            "ADMIN_WALLETS": set(),
            "TOKEN_PAGE_CACHE_SECONDS": 0,  # tests change data between requests; test_token_pages covers the cache
        }
    )
    with application.app_context():
        upgrade()
    yield application


@pytest.fixture(autouse=True)
def _clean_state(request: pytest.FixtureRequest) -> Iterator[None]:
    """Every test that uses the app starts with empty tables and an empty Redis db."""
    yield
    if "app" not in request.fixturenames:
        return
    application: Flask = request.getfixturevalue("app")
    from sqlalchemy import text
    from sqlalchemy.exc import OperationalError

    from webapp.extensions import db, redis_client

    with application.app_context():
        db.session.remove()
        tables = ", ".join(t.name for t in db.metadata.sorted_tables)
        # A browser test's server may still be answering the page's last request (an htmx refresh the test
        # did not wait for); PostgreSQL then picks the TRUNCATE as a deadlock's victim: try again once it ends.
        for attempt in range(5):
            try:
                db.session.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
                db.session.commit()
                break
            except OperationalError:
                db.session.rollback()
                if attempt == 4:
                    raise
                time.sleep(0.2 * (attempt + 1))
        redis_client().flushdb()
    application.extensions.pop("momentum_anonymous_pages", None)  # pages cached in process, like Redis above


@pytest.fixture()
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture()
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


def csrf_token_from(html: str) -> str:
    match = re.search(r'<meta name="csrf-token" content="([^"]+)"', html)
    assert match, "page carries no CSRF token"
    return match.group(1)


# What people must never read: an amount in base units. Eight or more digits in a row is one (1 SOL is
# 1,000,000,000 lamports) unless it sits inside an address or a signature (base58 words of 32 to 88
# characters: no u64 amount has more than 20 digits); the units' own names give away smaller ones.
_MARKUP = re.compile(r"<(script|style)\b.*?</\1>|<[^>]*>", re.DOTALL | re.IGNORECASE)
_BASE58_WORD = re.compile(r"[1-9A-HJ-NP-Za-km-z]{32,88}")
_LONG_DIGITS = re.compile(r"(?<![.\d])\d{8,}")  # a decimal's fraction (0.00089088 SOL) is not one
_RAW_UNIT_NAMES = re.compile(r"\blamports?\b|\bbase[ -]units?\b", re.IGNORECASE)


def raw_amounts(html_or_text: str) -> list[str]:
    """Runs of eight or more digits outside addresses and signatures, and the words lamports and base
    units, in the text a person reads (tags, attributes, scripts and styles left out)."""
    text = unescape(_MARKUP.sub(" ", html_or_text))
    text = _BASE58_WORD.sub(" ", text)
    return _LONG_DIGITS.findall(text) + _RAW_UNIT_NAMES.findall(text)


def assert_human_amounts(html_or_text: str) -> None:
    """Fail when a message, fragment or page shows an amount in base units instead of SOL or token units."""
    found = raw_amounts(html_or_text)
    assert not found, f"raw amounts {found} in: {' '.join(unescape(_MARKUP.sub(' ', html_or_text)).split())}"


Row = TypeVar("Row")


def get_row(model: type[Row], key: object) -> Row:
    """The row with this primary key (inside an app context); a missing row fails the test by name."""
    from webapp.extensions import db

    found = db.session.get(model, key)
    assert found is not None, f"no {model.__name__} with key {key!r}"
    return found


def landed_transaction(rpc: SolanaRpcClient, signature: Signature | str | None, *,
                       encoding: str = "json") -> dict[str, Any]:
    """`getTransaction`'s result for a transaction the test sent; an unsent or unknown one fails the test."""
    assert signature is not None, "the transaction was never sent (no signature recorded)"
    raw = rpc.get_transaction(signature, encoding=encoding)
    assert raw is not None, f"the chain has no transaction {signature}"
    return raw


class WalletAuth:
    """Signs in through the real SIWS flow with a solders keypair."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client

    def csrf_token(self) -> str:
        return csrf_token_from(self.client.get("/").get_data(as_text=True))

    def challenge(self, keypair: Keypair) -> dict[str, str]:
        reply = self.client.get("/auth/nonce", query_string={"wallet": str(keypair.pubkey())})
        assert reply.status_code == 200, reply.get_data(as_text=True)
        return reply.get_json()

    def verify(self, wallet: str, message: str, signature: str, token: str | None = None):
        headers = {"X-CSRFToken": token if token is not None else self.csrf_token()}
        return self.client.post(
            "/auth/verify",
            data={"wallet": wallet, "message": message, "signature": signature},
            headers=headers,
        )

    def sign_in(self, keypair: Keypair | None = None) -> Keypair:
        keypair = keypair or Keypair()
        message = self.challenge(keypair)["message"]
        signature = keypair.sign_message(message.encode())
        reply = self.verify(str(keypair.pubkey()), message, str(signature))
        assert reply.status_code == 200, reply.get_data(as_text=True)
        return keypair


@pytest.fixture()
def auth(client: FlaskClient) -> WalletAuth:
    return WalletAuth(client)


@pytest.fixture()
def make_user(app: Flask) -> Callable[..., Keypair]:
    """Create a member with a role directly (for tests about what roles may do)."""
    from webapp.extensions import db
    from webapp.models import User

    def make(role: str = "member", keypair: Keypair | None = None) -> Keypair:
        keypair = keypair or Keypair()
        with app.app_context():
            db.session.add(User(wallet=str(keypair.pubkey()), role=role))
            db.session.commit()
        return keypair

    return make


# Real mainnet transactions (../shared/fixtures), shared by the indexer, token page, API and browser tests.
MAINNET_FIXTURES = Path(__file__).resolve().parents[1].parent / "shared" / "fixtures" / "solana-mainnet"
RAYDIUM_MINT = "GPrF7LXiQAY8Y9Fci7et2C7a9JsrCBDRvEAKLCjLpump"
PUMP_MINT = "FstBRGMkNKf4wNvfieYUPS9YsbNoQJMCh6v89zajpump"
SUPPLY = 1_000_000_000 * 10**6


def mainnet_transactions() -> list[dict]:
    """Every stored getTransaction result (the expected-events files left out); skips the test without them."""
    if not MAINNET_FIXTURES.exists():
        pytest.skip("the shared mainnet fixtures are not here")
    return [json.loads(path.read_text()) for path in sorted(MAINNET_FIXTURES.glob("*/*.json"))
            if not path.name.endswith(".expected.json")]


def track_fixture_tokens(app: Flask) -> None:
    """Track the mainnet fixtures' two mints: a Wild Fires and a Stable Grounds token."""
    from webapp.extensions import db
    from webapp.models import Token

    with app.app_context():
        db.session.add(Token(mint=RAYDIUM_MINT, name="Raydium Pump", symbol="RPUMP", decimals=6, supply=SUPPLY,
                             supply_slot=0, program="token", tier="wild_fires"))
        db.session.add(Token(mint=PUMP_MINT, name="Fast Pump", symbol="FPUMP", decimals=6, supply=SUPPLY,
                             supply_slot=0, program="token", tier="stable_grounds"))
        db.session.commit()


@pytest.fixture()
def indexed(app: Flask) -> None:
    """Two tracked tokens (a Wild Fires and a Stable Grounds one) with the mainnet transactions indexed."""
    from webapp.services.indexer import store

    raws = mainnet_transactions()
    track_fixture_tokens(app)
    with app.app_context():
        assert not store.index_batch(raws).failed
