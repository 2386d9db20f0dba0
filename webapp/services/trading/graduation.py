"""Graduation: a sold-out curve hands its raised SOL and reserved tokens to a new liquidity pool.

Runs as a worker job, once per curve (the listener's sweep retries curves
left graduating). The signed transaction's signature is recorded before it is
sent; a rerun looks that signature up in the chain's full history before it
builds another, so the pool is seeded exactly once. No chain call is made
while the curve's lock is held.
"""
from __future__ import annotations

import logging
from datetime import UTC, datetime

from redis.exceptions import RedisError
from rq import Queue
from solders.pubkey import Pubkey
from solders.transaction import VersionedTransaction
from sqlalchemy import select

from webapp.chain.rpc import SolanaRpcClient
from webapp.extensions import db, redis_client
from webapp.models import BondingCurve, MarketPhase, Token
from webapp.services import bonding_curve, platform_wallets
from webapp.services.trading import markets
from webapp.services.trading.messages import graduation_message
from webapp.services.trading.orders import program_of

log = logging.getLogger("momentum.trading")


class GraduationPending(RuntimeError):
    """An earlier graduation transaction may still land: try again once its blockhash has expired."""


def enqueue_graduation(mint: str) -> None:
    try:
        Queue("default", connection=redis_client()).enqueue("worker.jobs.graduate_curve", mint,
                                                            job_id=f"graduate-{mint}", job_timeout=300)
    except RedisError as error:  # the listener's sweep retries curves left graduating
        log.warning("could not queue graduation of %s: %s", mint, error)


def graduate(mint: str, client: SolanaRpcClient) -> str | None:
    """Seed the pool from a sold-out curve; returns the graduation signature (None when nothing to do)."""
    curve = markets.curve_for(mint)
    if curve is None or curve.phase != MarketPhase.GRADUATING.value:
        db.session.rollback()
        return curve.graduation_signature if curve else None
    if curve.graduation_signature:
        outcome = _outcome(client, curve.graduation_signature, int(curve.graduation_last_valid_block_height or 0))
        if outcome == "landed":
            return _open_pool(mint)
        if outcome == "pending":
            db.session.rollback()
            raise GraduationPending(f"graduation {curve.graduation_signature} of {mint} may still land")
    sent = _send_graduation(mint, client)
    if sent is None:  # another run opened the pool meanwhile
        return _open_pool(mint)
    client.confirm(sent[0], "confirmed", timeout=60, last_valid_block_height=sent[1])
    return _open_pool(mint)


def _outcome(client: SolanaRpcClient, signature: str, last_valid_block_height: int) -> str:
    """landed, failed (or expired unseen: safe to build another), or pending."""
    status = client.get_signature_statuses([signature], search_history=True)[0]
    if status is not None:
        return "failed" if status.err is not None else "landed"
    return "failed" if client.get_block_height("confirmed") > last_valid_block_height else "pending"


def _send_graduation(mint: str, client: SolanaRpcClient) -> tuple[str, int] | None:
    """Build, record (under the curve's lock) and send the graduation transaction."""
    latest = client.get_latest_blockhash("confirmed")
    token = db.session.scalar(select(Token).where(Token.mint == mint))
    curve = markets.curve_for(mint, lock=True)
    if token is None or curve is None or curve.phase != MarketPhase.GRADUATING.value:
        db.session.rollback()
        return None
    seed = bonding_curve.graduation(markets.curve_state(curve), markets.params_of(curve))
    store = platform_wallets.keystore()
    vault = store.keypair(curve.vault_wallet)
    message = graduation_message(
        vault=vault.pubkey(), pool=store.address(curve.pool_wallet), treasury=store.address("treasury"),
        mint=Pubkey.from_string(mint), decimals=token.decimals, program=program_of(token),
        pool_tokens=seed.pool_tokens, pool_lamports=seed.pool_lamports,
        treasury_lamports=seed.graduation_fee_lamports + int(curve.curve_fees_lamports), blockhash=latest.blockhash)
    transaction = VersionedTransaction(message, [vault])
    curve.graduation_signature = str(transaction.signatures[0])
    curve.graduation_last_valid_block_height = latest.last_valid_block_height
    db.session.commit()  # recorded before it is sent
    client.send_transaction(transaction)
    return str(transaction.signatures[0]), latest.last_valid_block_height


def _open_pool(mint: str) -> str | None:
    """Open the pool from the curve's seed, once: a second caller finds the phase already moved on."""
    curve = markets.curve_for(mint, lock=True)
    if curve is None or curve.phase != MarketPhase.GRADUATING.value:
        db.session.rollback()
        return curve.graduation_signature if curve else None
    seed = bonding_curve.graduation(markets.curve_state(curve), markets.params_of(curve))
    curve.phase = MarketPhase.POOL.value
    curve.pool_sol_reserves, curve.pool_token_reserves = seed.pool_lamports, seed.pool_tokens
    curve.graduated_at = datetime.now(UTC)
    db.session.commit()
    log.info("curve %s graduated in %s", mint, curve.graduation_signature)
    return str(curve.graduation_signature)


def graduate_waiting(client: SolanaRpcClient) -> list[str]:
    """Graduate every curve left sold out (a queued job was lost or failed): the listener's sweep calls this."""
    mints = db.session.scalars(select(BondingCurve.mint).where(
        BondingCurve.phase == MarketPhase.GRADUATING.value)).all()
    signatures = []
    for mint in mints:
        try:
            if signature := graduate(mint, client):
                signatures.append(signature)
        except Exception as error:  # noqa: BLE001 - one stuck curve must not hold up the others
            db.session.rollback()
            log.warning("graduation of %s not finished: %s", mint, error)
    return signatures
