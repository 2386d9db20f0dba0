"""The payout engine on the local chain: exact amounts, exactly once."""
from __future__ import annotations

import random

import pytest
from solders.keypair import Keypair
from sqlalchemy import func, select

from webapp.extensions import db
from webapp.models import BatchStatus, Payout, PayoutBatch, PayoutStatus
from webapp.services.payouts import runs
from webapp.services.payouts.requests import PayoutRequest, PayoutRequestError, request_payouts


def requests_for(world, amounts: dict[str, int], prefix: str = "t") -> list[PayoutRequest]:
    return [
        PayoutRequest(world.wallet_name, recipient, str(world.mint), amount, "pool", "test", f"{prefix}:{recipient}")
        for recipient, amount in amounts.items()
    ]


def test_thousand_recipients_each_get_exactly_their_amount(payout_world) -> None:
    world = payout_world
    rng = random.Random(7)
    amounts = {str(Keypair().pubkey()): rng.randint(1, 10**9) for _ in range(1000)}
    world.fund(sum(amounts.values()), lamports=1000 * 2_100_000 + 10**9)
    with world.app.app_context():
        request_payouts(requests_for(world, amounts), runs.chain_gateway())
        run = runs.execute_run(world.wallet_name)
        assert run.status == "done", run.halt_reason
        progress = runs.progress(run)
        assert (progress.confirmed, progress.failed, progress.pending) == (1000, 0, 0)
        batches = db.session.scalar(select(func.count()).select_from(PayoutBatch))
        assert batches == -(-1000 // 9)
    for recipient, amount in amounts.items():
        assert world.token_balance(recipient) == amount
    assert world.token_balance(world.wallet) == 0


def test_same_idempotency_key_makes_one_row(payout_world) -> None:
    world = payout_world
    recipient = str(Keypair().pubkey())
    with world.app.app_context():
        first = request_payouts(requests_for(world, {recipient: 5}), runs.chain_gateway())
        again = request_payouts(requests_for(world, {recipient: 5}) * 2, runs.chain_gateway())
        assert {row.id for row in again} == {first[0].id}
        assert db.session.scalar(select(func.count()).select_from(Payout)) == 1


@pytest.mark.parametrize(
    "change, message",
    [
        ({"wallet_name": "nobody"}, "no platform wallet"),
        ({"recipient": "not-an-address"}, "recipient address is not a valid"),
        ({"amount": 0}, "above zero"),
        ({"amount": -5}, "above zero"),
        ({"amount": 10**15 + 1}, "whole supply"),
        ({"mint": str(Keypair().pubkey())}, "not a token mint"),
        ({"reason": "gift"}, "Unknown payout reason"),
    ],
)
def test_bad_requests_write_nothing(payout_world, change, message) -> None:
    world = payout_world
    good = requests_for(world, {str(Keypair().pubkey()): 10})[0]
    bad = PayoutRequest(**{**good.__dict__, **change})
    with world.app.app_context():
        with pytest.raises(PayoutRequestError, match=message):
            request_payouts([good, bad], runs.chain_gateway())
        assert db.session.scalar(select(func.count()).select_from(Payout)) == 0


def test_insufficient_balance_halts_before_paying_anyone(payout_world) -> None:
    world = payout_world
    amounts = {str(Keypair().pubkey()): 1_000 for _ in range(20)}
    world.fund(19_999)
    with world.app.app_context():
        request_payouts(requests_for(world, amounts), runs.chain_gateway())
        run = runs.execute_run(world.wallet_name)
        assert run.status == "halted" and "pending payouts need 0.02" in (run.halt_reason or "")
        assert runs.progress(run).pending == 20
    assert all(world.token_balance(recipient) == 0 for recipient in amounts)


def test_a_signed_but_unsent_transaction_is_sent_once_after_a_crash(payout_world,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """A crash between recording the signature and sending: the next run sends the same bytes."""
    from webapp.services.payouts import engine

    world = payout_world
    amounts = {str(Keypair().pubkey()): 777 for _ in range(3)}
    world.fund(3 * 777)
    with world.app.app_context():
        request_payouts(requests_for(world, amounts), runs.chain_gateway())
        gateway = runs.chain_gateway()

        class CrashBeforeSend(Exception):
            pass

        def crash(raw: bytes) -> None:
            raise CrashBeforeSend

        monkeypatch.setattr(gateway, "send_transaction", crash)
        signer = runs.platform_wallets.keystore().keypair(world.wallet_name)
        with pytest.raises(CrashBeforeSend):
            engine.run_payouts(world.wallet_name, signer, gateway)
        batch = db.session.scalar(select(PayoutBatch))
        assert batch is not None, "the run signed no batch"
        assert batch.status == BatchStatus.SIGNED.value
        assert db.session.scalar(select(func.count()).where(Payout.status == PayoutStatus.IN_FLIGHT.value)) == 3
        monkeypatch.undo()  # the gateway sends for real again
        run = engine.run_payouts(world.wallet_name, signer, gateway)
        assert run.status == "done"
        assert db.session.scalar(select(func.count()).select_from(PayoutBatch)) == 1
        db.session.refresh(batch)
        assert batch.status == BatchStatus.FINALIZED.value
    assert all(world.token_balance(recipient) == 777 for recipient in amounts)


def test_token_2022_mints_are_paid_with_their_own_program(payout_world) -> None:
    from spl.token.constants import TOKEN_2022_PROGRAM_ID

    from webapp.chain import spl

    world = payout_world
    rpc, treasury, mint = world.rpc, world.treasury, Keypair()
    rent = rpc.get_minimum_balance_for_rent_exemption(spl.MINT_SIZE)
    instructions = spl.create_mint(treasury.pubkey(), mint.pubkey(), treasury.pubkey(), 2, rent, TOKEN_2022_PROGRAM_ID)
    instructions += spl.mint_to(treasury.pubkey(), mint.pubkey(), treasury.pubkey(), world.wallet, 10_000, 2,
                                TOKEN_2022_PROGRAM_ID)
    rpc.confirm(rpc.send_transaction(spl.sign(instructions, treasury, rpc.get_latest_blockhash().blockhash, [mint])))
    world.fund(1)  # SOL for fees (and one base unit of the classic test token)
    recipient = str(Keypair().pubkey())
    with world.app.app_context():
        request_payouts([PayoutRequest(world.wallet_name, recipient, str(mint.pubkey()), 4_321, "bounty", "t22",
                                       "t22:1")], runs.chain_gateway())
        assert runs.execute_run(world.wallet_name).status == "done"
    holdings = rpc.get_token_accounts_by_owner(recipient, mint=mint.pubkey())
    assert [h.amount for h in holdings] == [4_321]
