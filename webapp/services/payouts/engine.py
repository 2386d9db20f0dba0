"""Sending payouts: exactly once, even when the process dies mid-send.

The rules that make it safe:
- a transaction's signature, its blockhash's last valid block height and its
  bytes are committed to PostgreSQL BEFORE it is sent;
- a row belongs to at most one unresolved (SIGNED) batch at a time;
- an unresolved batch is looked up on chain; while its blockhash is still
  valid only the same bytes are re-sent (same signature, so it can land at
  most once); its rows go back to pending only when the chain does not know
  the signature AND the blockhash has expired, i.e. it can never land;
- one run per wallet at a time, under a PostgreSQL advisory lock that dies
  with the process holding it.
"""
from __future__ import annotations

import logging
import time
import zlib
from collections.abc import Callable
from datetime import UTC, datetime

from solders.keypair import Keypair
from solders.pubkey import Pubkey
from sqlalchemy import Connection, func, select, text, update

from webapp.chain.transfers import (
    TokenTransfer,
    batch_sol_transfer_transaction,
    batch_transfer_transaction,
    fits_in_one_transaction,
)
from webapp.extensions import db
from webapp.models import BatchStatus, Payout, PayoutBatch, PayoutRun, PayoutStatus, RunStatus
from webapp.money import sol_text
from webapp.services.community import payout_notifications
from webapp.services.payouts.display import mint_amount_text
from webapp.services.payouts.gateway import (
    NATIVE_SOL,
    RENT_EXEMPT_LAMPORTS,
    ChainGateway,
    MintInfo,
    SendRefused,
    asset_info,
)

log = logging.getLogger("momentum.payouts")

TRANSFERS_PER_TRANSACTION = 9  # 9 create-if-missing + transfer pairs fit in 1,232 bytes
SIGNATURE_LOOKUP_CHUNK = 256
FEE_PER_SIGNATURE = 5_000
TOKEN_ACCOUNT_RENT = 2_039_280


class RunAlreadyActive(RuntimeError):
    """Another process is paying from this wallet right now."""


def run_payouts(
    wallet_name: str,
    signer: Keypair,
    chain: ChainGateway,
    *,
    batch_size: int = TRANSFERS_PER_TRANSACTION,
    batches_per_commit: int = 50,
    priority_micro_lamports: int = 0,
    poll_seconds: float = 0.4,
    timeout_seconds: float = 600.0,
    on_progress: Callable[[PayoutRun], None] | None = None,
) -> PayoutRun:
    """Pay every pending row of `wallet_name`, then wait until each is final."""
    with _wallet_lock(wallet_name):
        run = _open_run(wallet_name)
        deadline = time.monotonic() + timeout_seconds
        _settle_in_flight(chain, deadline, poll_seconds, run, on_progress)
        shortfall = _shortfall(wallet_name, signer.pubkey(), chain)
        if shortfall:
            return _halt(run, shortfall)
        while _pending_rows(wallet_name, limit=1):
            # Send everything first, then wait for finality once: waiting per chunk
            # would cost a finality delay (~13 s on mainnet) for every chunk.
            while _pending_rows(wallet_name, limit=1):
                halted = _send_pending(run, signer, chain, batch_size, batches_per_commit, priority_micro_lamports)
                if halted:
                    return _halt(run, halted)
                if on_progress:
                    on_progress(run)
            # Expired transactions put their rows back to pending: the outer loop pays them.
            _settle_in_flight(chain, deadline, poll_seconds, run, on_progress)
        run.status = RunStatus.DONE.value
        run.finished_at = datetime.now(UTC)
        db.session.commit()
        return run


class _wallet_lock:
    """pg_try_advisory_lock on a connection of its own: released if we die."""

    def __init__(self, wallet_name: str) -> None:
        self.key = zlib.crc32(f"payouts:{wallet_name}".encode())
        self.connection: Connection | None = None

    def __enter__(self) -> None:
        connection = self.connection = db.engine.connect()
        locked = connection.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": self.key}).scalar()
        connection.commit()
        if not locked:
            connection.close()
            raise RunAlreadyActive("A payout run for this wallet is already in progress.")

    def __exit__(self, *exc: object) -> None:
        assert self.connection is not None
        self.connection.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": self.key})
        self.connection.commit()
        self.connection.close()


def _open_run(wallet_name: str) -> PayoutRun:
    run = db.session.scalar(
        select(PayoutRun).where(PayoutRun.wallet_name == wallet_name, PayoutRun.status == RunStatus.RUNNING.value)
    )
    if run is None:
        run = PayoutRun(wallet_name=wallet_name, status=RunStatus.RUNNING.value)
        db.session.add(run)
        db.session.flush()
    db.session.execute(
        update(Payout)
        .where(Payout.wallet_name == wallet_name,
               Payout.status.in_([PayoutStatus.PENDING.value, PayoutStatus.IN_FLIGHT.value]))
        .values(run_id=run.id)
    )
    run.total_rows = db.session.scalar(select(func.count()).select_from(Payout).where(Payout.run_id == run.id)) or 0
    db.session.commit()
    return run


def _pending_rows(wallet_name: str, limit: int) -> list[Payout]:
    return list(
        db.session.scalars(
            select(Payout)
            .where(Payout.wallet_name == wallet_name, Payout.status == PayoutStatus.PENDING.value)
            .order_by(Payout.mint, Payout.id)
            .limit(limit)
        )
    )


def _shortfall(wallet_name: str, payer: Pubkey, chain: ChainGateway) -> str | None:
    """Refuse to start paying at all when the wallet cannot cover every pending row."""
    needs = db.session.execute(
        select(Payout.mint, func.sum(Payout.amount), func.count(), func.max(Payout.decimals))
        .where(Payout.wallet_name == wallet_name, Payout.status == PayoutStatus.PENDING.value)
        .group_by(Payout.mint)
    ).all()
    rows = token_rows = sol_paid = 0
    for mint, amount, count, decimals in needs:
        rows += count
        if mint == NATIVE_SOL:  # lamports from the balance that also pays the fees: counted with them below
            sol_paid = int(amount) + RENT_EXEMPT_LAMPORTS  # and the wallet must stay rent-exempt
            continue
        token_rows += count
        held = chain.token_balance(str(payer), mint)
        if held < int(amount):
            return (f"Wallet {wallet_name} holds {mint_amount_text(mint, held, decimals)} but pending payouts "
                    f"need {mint_amount_text(mint, int(amount), decimals)}.")
    transactions = -(-rows // TRANSFERS_PER_TRANSACTION)
    lamports_needed = transactions * FEE_PER_SIGNATURE + token_rows * TOKEN_ACCOUNT_RENT + sol_paid
    lamports = chain.sol_balance(str(payer))
    if rows and lamports < lamports_needed:
        return (f"Wallet {wallet_name} has {sol_text(lamports)} SOL; fees, new token accounts and SOL payouts "
                f"may need {sol_text(lamports_needed)} SOL.")
    return None


def _halt(run: PayoutRun, reason: str) -> PayoutRun:
    log.error("payout run halted", extra={"fields": {"run_id": run.id, "reason": reason}})
    run.status = RunStatus.HALTED.value
    run.halt_reason = reason
    run.finished_at = datetime.now(UTC)
    db.session.commit()
    return run


def _send_pending(
    run: PayoutRun, signer: Keypair, chain: ChainGateway, batch_size: int, batches_per_commit: int, priority: int
) -> str | None:
    """Sign a chunk of transactions, record them all in one commit, then send each."""
    rows = _pending_rows(run.wallet_name, limit=batch_size * batches_per_commit)
    groups: list[list[Payout]] = []
    for row in rows:
        if groups and groups[-1][0].mint == row.mint and len(groups[-1]) < batch_size:
            groups[-1].append(row)
        else:
            groups.append([row])
    mints: dict[str, MintInfo | None] = {}
    signer_context = _Signing(run, signer, chain, priority)
    signed: list[tuple[PayoutBatch, list[Payout], MintInfo]] = []
    for group in groups:
        mint = group[0].mint
        if mint not in mints:
            mints[mint] = asset_info(chain, mint)
        info = mints[mint]
        if info is None:
            _fail_rows(group, f"Mint {mint} no longer exists on this cluster.")
            continue
        signed += [(batch, batch_rows, info) for batch, batch_rows in signer_context.sign(group, info)]
    db.session.commit()  # every signature is durable before any transaction leaves this process
    for batch, batch_rows, info in signed:
        halted = signer_context.send(batch, batch_rows, info)
        if halted:
            return halted
    return None


class _Signing:
    """Signs groups of rows into recorded batches under one recent blockhash."""

    def __init__(self, run: PayoutRun, signer: Keypair, chain: ChainGateway, priority: int) -> None:
        self.run, self.signer, self.chain, self.priority = run, signer, chain, priority
        self.blockhash, self.last_valid = chain.latest_blockhash()

    def sign(self, rows: list[Payout], mint: MintInfo) -> list[tuple[PayoutBatch, list[Payout]]]:
        transfers = [TokenTransfer(Pubkey.from_string(row.recipient), int(row.amount)) for row in rows]
        if rows[0].mint == NATIVE_SOL:
            transaction = batch_sol_transfer_transaction(self.signer, transfers, self.blockhash,
                                                         priority_micro_lamports=self.priority)
        else:
            transaction = batch_transfer_transaction(
                self.signer, Pubkey.from_string(rows[0].mint), mint.decimals, transfers, self.blockhash,
                priority_micro_lamports=self.priority, token_program=Pubkey.from_string(mint.program),
            )
        if not fits_in_one_transaction(transaction) and len(rows) > 1:
            half = len(rows) // 2
            return self.sign(rows[:half], mint) + self.sign(rows[half:], mint)
        batch = PayoutBatch(
            run_id=self.run.id, signature=str(transaction.signatures[0]),
            last_valid_block_height=self.last_valid, transaction=bytes(transaction),
        )
        db.session.add(batch)
        db.session.flush()
        for row in rows:
            row.status = PayoutStatus.IN_FLIGHT.value
            row.batch_id = batch.id
            row.signature = batch.signature
        return [(batch, rows)]

    def send(self, batch: PayoutBatch, rows: list[Payout], mint: MintInfo) -> str | None:
        try:
            self.chain.send_transaction(batch.transaction)
        except SendRefused as refused:
            return self._refused(batch, rows, mint, refused)
        return None

    def _refused(self, batch: PayoutBatch, rows: list[Payout], mint: MintInfo, refused: SendRefused) -> str | None:
        """Preflight refused it, so it never reached the chain: settle it and find the bad row."""
        batch.status = BatchStatus.FAILED.value
        batch.error = str(refused)[:2000]
        batch.resolved_at = datetime.now(UTC)
        for row in rows:
            row.status = PayoutStatus.PENDING.value
            row.batch_id = None
            row.signature = None
        db.session.commit()
        if refused.insufficient_funds:
            return f"The platform wallet {self.run.wallet_name} ran short while paying: {refused}"
        if len(rows) == 1:
            _fail_rows(rows, f"Refused by the chain: {refused}")
            return None
        for row in rows:  # retry one by one so only the bad recipient fails
            [(single, single_rows)] = self.sign([row], mint)
            db.session.commit()
            halted = self.send(single, single_rows, mint)
            if halted:
                return halted
        return None


def _fail_rows(rows: list[Payout], reason: str) -> None:
    for row in rows:
        row.status = PayoutStatus.FAILED.value
        row.failure_reason = reason[:2000]
        row.batch_id = None
    db.session.commit()


def _settle_in_flight(
    chain: ChainGateway,
    deadline: float,
    poll_seconds: float,
    run: PayoutRun,
    on_progress: Callable[[PayoutRun], None] | None,
) -> None:
    """Resolve every signed batch against the chain until none is left unresolved."""
    while True:
        open_batches = list(db.session.scalars(
            select(PayoutBatch)
            .join(PayoutRun, PayoutBatch.run_id == PayoutRun.id)
            .where(PayoutBatch.status == BatchStatus.SIGNED.value, PayoutRun.wallet_name == run.wallet_name)
        ))
        if not open_batches:
            return
        resolve_batches(open_batches, chain)
        if on_progress:
            on_progress(run)
        if time.monotonic() > deadline:
            raise TimeoutError("Payout transactions did not finalize in time; the next run resumes them.")
        time.sleep(poll_seconds)


def resolve_batches(batches: list[PayoutBatch], chain: ChainGateway) -> None:
    height: int | None = None
    for start in range(0, len(batches), SIGNATURE_LOOKUP_CHUNK):
        chunk = batches[start:start + SIGNATURE_LOOKUP_CHUNK]
        states = chain.signature_states([batch.signature for batch in chunk])
        for batch, state in zip(chunk, states, strict=True):
            if state is None:
                height = chain.block_height() if height is None else height
                if height > batch.last_valid_block_height:
                    _settle(batch, BatchStatus.EXPIRED, None)
                else:
                    _resend(batch, chain)
            elif state.error is not None:
                _settle(batch, BatchStatus.FAILED, state.error)
            elif state.confirmation == "finalized":
                _settle(batch, BatchStatus.FINALIZED, None)
    db.session.commit()


def _resend(batch: PayoutBatch, chain: ChainGateway) -> None:
    """Same bytes, same signature: the chain applies it at most once."""
    try:
        chain.send_transaction(batch.transaction)
    except SendRefused as refused:
        log.warning("resend refused", extra={"fields": {"signature": batch.signature, "error": str(refused)}})


def _settle(batch: PayoutBatch, status: BatchStatus, error: str | None) -> None:
    now = datetime.now(UTC)
    batch.status = status.value
    batch.error = error
    batch.resolved_at = now
    rows = list(db.session.scalars(select(Payout).where(Payout.batch_id == batch.id)))
    for row in rows:
        if status is BatchStatus.FINALIZED:
            row.status = PayoutStatus.CONFIRMED.value
            row.confirmed_at = now
        elif status is BatchStatus.FAILED:
            row.status = PayoutStatus.FAILED.value
            row.failure_reason = f"Transaction {batch.signature} failed on chain: {error}"
            row.batch_id = None
        else:  # expired unseen: it can never land, so the row may be paid by a new transaction
            row.status = PayoutStatus.PENDING.value
            row.batch_id = None
            row.signature = None
    if status is BatchStatus.FINALIZED:
        payout_notifications.payouts_confirmed(rows, batch.signature)
