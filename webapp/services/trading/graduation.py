"""Graduation: a sold-out curve hands its raised SOL and reserved tokens to a new liquidity pool.

Runs as a worker job, once per curve. The signed transaction's signature is
recorded before it is sent; a rerun checks the chain before building another,
so the pool is seeded exactly once.
"""
from __future__ import annotations

import logging
from datetime import datetime, timezone

from redis.exceptions import RedisError
from rq import Queue
from solders.pubkey import Pubkey
from solders.transaction import VersionedTransaction
from sqlalchemy import select

from webapp.chain.rpc import SolanaRpcClient
from webapp.chain.rpc.errors import BlockhashExpired, TransactionFailed
from webapp.extensions import db, redis_client
from webapp.models import BondingCurve, MarketPhase, Token
from webapp.services import bonding_curve, platform_wallets
from webapp.services.trading import markets
from webapp.services.trading.messages import graduation_message
from webapp.services.trading.orders import program_of

log = logging.getLogger("momentum.trading")


def enqueue_graduation(mint: str) -> None:
    try:
        Queue("default", connection=redis_client()).enqueue("worker.jobs.graduate_curve", mint,
                                                            job_id=f"graduate-{mint}", job_timeout=300)
    except RedisError as error:  # the listener's housekeeping retries curves left graduating
        log.warning("could not queue graduation of %s: %s", mint, error)


def graduate(mint: str, client: SolanaRpcClient) -> str | None:
    """Seed the pool from a sold-out curve; returns the graduation signature (None when nothing to do)."""
    curve = markets.curve_for(mint, lock=True)
    if curve is None or curve.phase != MarketPhase.GRADUATING.value:
        db.session.rollback()
        return curve.graduation_signature if curve else None
    seed = bonding_curve.graduation(markets.curve_state(curve), markets.params_of(curve))
    if curve.graduation_signature and _landed(client, curve.graduation_signature,
                                              int(curve.graduation_last_valid_block_height or 0)):
        return _open_pool(curve, seed)
    token = db.session.scalar(select(Token).where(Token.mint == mint))
    assert token is not None
    store = platform_wallets.keystore()
    vault = store.keypair(curve.vault_wallet)
    latest = client.get_latest_blockhash("confirmed")
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
    client.confirm(transaction.signatures[0], "confirmed", timeout=60,
                   last_valid_block_height=latest.last_valid_block_height)
    curve = markets.curve_for(mint, lock=True)
    assert curve is not None
    return _open_pool(curve, seed)


def _landed(client: SolanaRpcClient, signature: str, last_valid_block_height: int) -> bool:
    """Whether an earlier attempt landed; waits for it while its blockhash can still land it."""
    try:
        client.confirm(signature, "confirmed", timeout=90, last_valid_block_height=last_valid_block_height)
    except (BlockhashExpired, TransactionFailed):
        return False
    return True


def _open_pool(curve: BondingCurve, seed: bonding_curve.Graduation) -> str:
    curve.phase = MarketPhase.POOL.value
    curve.pool_sol_reserves, curve.pool_token_reserves = seed.pool_lamports, seed.pool_tokens
    curve.graduated_at = datetime.now(timezone.utc)
    db.session.commit()
    log.info("curve %s graduated in %s", curve.mint, curve.graduation_signature)
    return str(curve.graduation_signature)


def graduate_waiting(client: SolanaRpcClient) -> list[str]:
    """Graduate every curve left sold out (a queued job was lost): the listener's housekeeping calls this."""
    mints = db.session.scalars(select(BondingCurve.mint).where(
        BondingCurve.phase == MarketPhase.GRADUATING.value)).all()
    return [signature for mint in mints if (signature := graduate(mint, client))]
