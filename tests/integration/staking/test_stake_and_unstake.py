"""Staking, unstaking and contributing on the local chain, through the pages, with the member's wallet signing."""
from __future__ import annotations

from rq import Queue
from sqlalchemy import select

from tests.conftest import get_row, landed_transaction
from tests.integration.staking.conftest import (
    Holder,
    Market,
    deposit,
    post,
    snapshot,
    stake_wallet,
    units,
)
from webapp.extensions import db, redis_client
from webapp.models import Payout, StakeDeposit, StakePosition, StakeWithdrawal, TransactionEvent
from webapp.money import token_units
from webapp.services.indexer import store
from webapp.services.payouts import runs
from webapp.services.staking import deposits, wallets


def index(market: Market, signature: str) -> list[TransactionEvent]:
    """What the worker's indexing job does with the transaction; its events for the token."""
    raw = landed_transaction(market.world.rpc, signature, encoding="jsonParsed")
    assert signature in store.index_batch([raw]).indexed
    return list(db.session.scalars(select(TransactionEvent).where(
        TransactionEvent.signature == signature, TransactionEvent.mint == market.mint)))


def test_a_member_stakes_with_exact_balances_and_the_stake_is_indexed(market: Market, holder: Holder, client,
                                                                      auth) -> None:
    auth.sign_in(holder.keypair)
    treasury = market.address("treasury")
    treasury_before, lamports_before = market.lamports_of(treasury), market.lamports_of(holder.wallet)
    amount = holder.tokens // 3
    page = deposit(client, auth, market, holder.keypair, "stake", amount)
    assert "Staked" in page and token_units(amount, 6) in page

    escrow, fund = stake_wallet(market, "stake"), stake_wallet(market, "fund")
    assert market.tokens_of(holder.wallet) == holder.tokens - amount
    assert market.tokens_of(escrow) == amount and market.tokens_of(fund) == 0
    # the member paid the two-signature network fee and nothing else (the treasury opened the escrow's account)
    assert lamports_before - market.lamports_of(holder.wallet) == deposits.NETWORK_FEE_LAMPORTS
    assert market.lamports_of(escrow) == wallets.ESCROW_FLOAT_LAMPORTS
    assert treasury_before - market.lamports_of(treasury) > wallets.ESCROW_FLOAT_LAMPORTS  # float, accounts, fee

    with market.app.app_context():
        row = db.session.scalar(select(StakeDeposit))
        assert row is not None, "the stake was not recorded"
        assert (row.kind, row.status, int(row.amount), row.wallet_name) == ("stake", "confirmed", amount, "stake_1")
        position = db.session.scalar(select(StakePosition))
        assert position is not None, "the stake opened no position"
        assert (position.user_id, int(position.amount)) == (holder.user.id, amount)
        platform = store.classifier_wallets()
        assert escrow in platform.stake_escrows and escrow not in platform.payout_wallets
        assert fund in platform.payout_wallets
        [event] = index(market, row.signature)
        assert (event.label, event.wallet, int(event.token_amount), event.counterparty) == (
            "stake", holder.wallet, amount, escrow)


def test_a_second_stake_adds_to_the_one_position(market: Market, holder: Holder, client, auth) -> None:
    auth.sign_in(holder.keypair)
    first, second = holder.tokens // 5, holder.tokens // 7
    deposit(client, auth, market, holder.keypair, "stake", first)
    deposit(client, auth, market, holder.keypair, "stake", second)
    assert market.tokens_of(stake_wallet(market)) == first + second
    with market.app.app_context():
        positions = db.session.execute(select(StakePosition.user_id, StakePosition.amount)).all()
        assert [(user_id, int(amount)) for user_id, amount in positions] == [(holder.user.id, first + second)]
    panel = client.get(f"/tokens/{market.mint}/stake", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert token_units(first + second, 6) in panel and "Your stake" in panel


def test_unstake_is_paid_exactly_once_and_indexed_as_unstake(market: Market, holder: Holder, client, auth) -> None:
    auth.sign_in(holder.keypair)
    staked = holder.tokens // 2
    deposit(client, auth, market, holder.keypair, "stake", staked)
    escrow = stake_wallet(market)
    taken = staked // 4
    reply = post(client, auth, f"/tokens/{market.mint}/unstake", amount=units(taken))
    assert reply.status_code == 200 and "Unstaking" in reply.get_data(as_text=True)
    assert reply.headers.get("HX-Trigger") == "stake-changed"

    with market.app.app_context():
        position = db.session.scalar(select(StakePosition))
        assert position is not None, "the stake opened no position"
        assert int(position.amount) == staked - taken  # reduced at once: it cannot be unstaked twice
        withdrawal = db.session.scalar(select(StakeWithdrawal))
        assert withdrawal is not None, "the unstake recorded no withdrawal"
        payout = get_row(Payout, withdrawal.payout_id)
        assert (payout.reason, payout.wallet_name, payout.recipient, int(payout.amount), payout.idempotency_key) == (
            "unstake", "stake_1", holder.wallet, taken, f"unstake:{withdrawal.id}")
        queued = Queue("default", connection=redis_client()).jobs
        assert any(job.func_name == "worker.jobs.run_payouts" and job.args == ("stake_1",) for job in queued)
        # the worker runs the payout, and a second run (a retry, a duplicate job) pays nothing more
        assert runs.execute_run("stake_1").status == "done"
        assert runs.execute_run("stake_1").status == "done"
        payout = get_row(Payout, withdrawal.payout_id)
        assert payout.status == "confirmed" and payout.signature
        assert market.tokens_of(holder.wallet) == holder.tokens - staked + taken
        assert market.tokens_of(escrow) == staked - taken
        # the treasury's set-up, the stake and one payout: nothing was paid twice
        assert len(market.world.rpc.get_signatures_for_address(escrow)) == 3
        [event] = index(market, payout.signature)
        assert (event.label, event.wallet, int(event.token_amount), event.counterparty) == (
            "unstake", holder.wallet, taken, escrow)


def test_a_contribution_goes_to_the_community_fund(market: Market, holder: Holder, client, auth) -> None:
    auth.sign_in(holder.keypair)
    gift = holder.tokens // 10
    page = deposit(client, auth, market, holder.keypair, "fund", gift)
    assert "community fund" in page
    fund = stake_wallet(market, "fund")
    assert market.tokens_of(fund) == gift and market.tokens_of(holder.wallet) == holder.tokens - gift
    with market.app.app_context():
        row = db.session.scalar(select(StakeDeposit))
        assert row is not None, "the contribution was not recorded"
        assert (row.kind, row.status, row.wallet_name) == ("fund", "confirmed", "fund_1")
        assert db.session.scalar(select(StakePosition)) is None  # a gift, not a stake
        [event] = index(market, row.signature)
        assert (event.label, event.wallet, int(event.token_amount), event.counterparty) == (
            "transfer", holder.wallet, gift, fund)
    panel = client.get(f"/tokens/{market.mint}/stake", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "Your contribution" in panel and token_units(gift, 6) in panel
    # nothing staked, so nothing to unstake
    before = snapshot(market, holder.wallet, fund)
    refused = post(client, auth, f"/tokens/{market.mint}/unstake", amount="1")
    assert refused.status_code == 422 and "staked" in refused.get_data(as_text=True)
    assert snapshot(market, holder.wallet, fund) == before
