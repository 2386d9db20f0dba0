"""Sign In With Solana: issue a single-use challenge, then verify and consume it."""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, select, update

from webapp.chain import siws
from webapp.extensions import db
from webapp.models import Role, SignInNonce, User

STATEMENT = "Sign in to Momentum. This request will not trigger a blockchain transaction or cost any fee."
VERSION = "1"


@dataclass(frozen=True)
class Challenge:
    message: str
    fields: siws.SignInFields


def issue_challenge(wallet: str, *, domain: str, uri: str, chain_id: str, ttl_seconds: int) -> Challenge:
    """Store a fresh nonce for this wallet and return the message it must sign."""
    address = str(siws.parse_wallet(wallet))
    now = datetime.now(UTC)
    fields = siws.SignInFields(
        domain=domain,
        address=address,
        statement=STATEMENT,
        uri=uri,
        version=VERSION,
        chain_id=chain_id,
        nonce=secrets.token_urlsafe(24),
        issued_at=siws.iso_timestamp(now),
        expiration_time=siws.iso_timestamp(now + timedelta(seconds=ttl_seconds)),
    )
    message = siws.build_message(fields)
    db.session.add(
        SignInNonce(
            nonce=fields.nonce,
            wallet=address,
            domain=domain,
            uri=uri,
            message=message,
            issued_at=now,
            expires_at=now + timedelta(seconds=ttl_seconds),
        )
    )
    db.session.commit()
    return Challenge(message=message, fields=fields)


def complete_sign_in(
    wallet: str | None,
    message: str | None,
    signature: str | None,
    *,
    domain: str,
    admin_wallets: set[str],
) -> User:
    """Check everything about a signed challenge, consume its nonce, return the member.

    Nothing is written unless every check passes.
    """
    key = siws.parse_wallet(wallet)
    sig = siws.parse_signature(signature)
    if not message:
        raise siws.SignInError("The signed message is required.")
    fields = siws.parse_message(message)
    record = db.session.scalar(select(SignInNonce).where(SignInNonce.nonce == fields.nonce))
    if record is None:
        raise siws.SignInError("This sign-in message was not issued by this site.")
    _check_fields(fields, record, str(key), domain)
    if not siws.signature_is_valid(key, message, sig):
        raise siws.SignInError("The signature does not match this wallet and message.")
    now = datetime.now(UTC)
    # An UPDATE gives a CursorResult (it has rowcount); Session.execute is only typed to return a Result.
    consumed = cast("CursorResult[Any]", db.session.execute(
        update(SignInNonce)
        .where(SignInNonce.id == record.id, SignInNonce.used_at.is_(None))
        .values(used_at=now)
    ))
    if consumed.rowcount != 1:
        db.session.rollback()
        raise siws.SignInError("This sign-in message has already been used.")
    user = _member_for(str(key), admin_wallets)
    user.last_sign_in_at = now
    db.session.commit()
    return user


def _check_fields(fields: siws.SignInFields, record: SignInNonce, wallet: str, domain: str) -> None:
    if record.used_at is not None:
        raise siws.SignInError("This sign-in message has already been used.")
    if record.expires_at <= datetime.now(UTC):
        raise siws.SignInError("This sign-in message has expired. Please try again.")
    if fields.address != wallet or record.wallet != wallet:
        raise siws.SignInError("The message was issued to a different wallet.")
    if fields.domain != domain or record.domain != domain:
        raise siws.SignInError("The message names another site.")
    expected = siws.parse_message(record.message)
    for name in ("uri", "version", "chain_id", "issued_at", "expiration_time"):
        if getattr(fields, name) != getattr(expected, name):
            label = name.replace("_", " ")
            raise siws.SignInError(f"The message's {label} differs from what this site issued.")


def _member_for(wallet: str, admin_wallets: set[str]) -> User:
    user = db.session.scalar(select(User).where(User.wallet == wallet))
    if user is None:
        user = User(wallet=wallet, role=Role.MEMBER.value)
        db.session.add(user)
    if wallet in admin_wallets:
        user.role = Role.ADMIN.value
    return user
