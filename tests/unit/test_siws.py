"""Sign In With Solana messages, without any server."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from solders.keypair import Keypair

from webapp.chain import siws


def fields(**changes: str) -> siws.SignInFields:
    base = dict(
        domain="momentum.example",
        address=str(Keypair().pubkey()),
        statement="Sign in to Momentum.",
        uri="https://momentum.example",
        version="1",
        chain_id="mainnet",
        nonce="abc123",
        issued_at="2026-11-24T10:00:00.000Z",
        expiration_time="2026-11-24T10:10:00.000Z",
    )
    base.update(changes)
    return siws.SignInFields(**base)


def test_message_round_trips_through_the_parser() -> None:
    original = fields()
    message = siws.build_message(original)
    assert message.startswith("momentum.example wants you to sign in with your Solana account:\n")
    assert "\nNonce: abc123\n" in message
    assert siws.parse_message(message) == original


@given(st.text(alphabet=st.characters(blacklist_categories=["Cs", "Cc"]), max_size=80).filter(lambda s: ":" not in s))
def test_any_single_line_statement_round_trips(statement: str) -> None:
    original = fields(statement=statement.strip())
    assert siws.parse_message(siws.build_message(original)).statement == original.statement


@pytest.mark.parametrize(
    "message, reason",
    [
        ("hello", "not a Sign In With Solana message"),
        ("x wants you to sign in with your Solana account:\naddr\n\nhi\n\nURI: u", "lacks"),
    ],
)
def test_foreign_messages_are_refused(message: str, reason: str) -> None:
    with pytest.raises(siws.SignInError, match=reason):
        siws.parse_message(message)


def test_signature_checks_wallet_and_exact_bytes() -> None:
    keypair, other = Keypair(), Keypair()
    message = siws.build_message(fields(address=str(keypair.pubkey())))
    signature = keypair.sign_message(message.encode())
    assert siws.signature_is_valid(keypair.pubkey(), message, signature)
    assert not siws.signature_is_valid(other.pubkey(), message, signature)
    assert not siws.signature_is_valid(keypair.pubkey(), message + " ", signature)


@pytest.mark.parametrize(
    "text, reason",
    [
        ("", "required"),
        ("0OIl", "not valid base58"),
        ("abc", "32-byte"),
        ("1" * 45, "32-byte"),
    ],
)
def test_bad_wallets_are_refused(text: str, reason: str) -> None:
    with pytest.raises(siws.SignInError, match=reason):
        siws.parse_wallet(text)


@pytest.mark.parametrize("text, reason", [("", "required"), ("+/=", "base58"), ("abc", "64 bytes")])
def test_bad_signatures_are_refused(text: str, reason: str) -> None:
    with pytest.raises(siws.SignInError, match=reason):
        siws.parse_signature(text)
