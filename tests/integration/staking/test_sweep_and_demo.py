"""The sweep settles stakes whose request ended before they landed; demo traders stake and give to the fund."""
from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

from solders.transaction import VersionedTransaction
from sqlalchemy import select

from tests.conftest import get_row
from tests.integration.staking.conftest import SOL, Holder, Market, buy_tokens, stake_wallet, wallet_signs
from webapp.extensions import db
from webapp.models import StakeDeposit, StakePosition, User
from webapp.services import member_transactions, platform_wallets
from webapp.services.staking import deposits


def test_the_sweep_settles_a_sent_stake_and_expires_an_unsigned_one(market: Market, holder: Holder) -> None:
    from worker import jobs

    late, late_keys = market.member()
    late_tokens = buy_tokens(market, late, late_keys, SOL // 10)
    with market.app.app_context():
        user = db.session.merge(holder.user)
        amount = holder.tokens // 2
        opened = deposits.open_deposit(user, market.mint, "stake", amount, market.world.rpc)
        # what submit_deposit does up to sending, as if the web process died right after
        signed = VersionedTransaction.from_bytes(base64.b64decode(wallet_signs(holder.keypair, opened.transaction)))
        wire = member_transactions.co_signed(signed, platform_wallets.keystore().keypair("stake_1"))
        row = get_row(StakeDeposit, opened.deposit.id)
        row.signature, row.status = str(signed.signatures[0]), "sent"
        db.session.commit()
        market.world.rpc.confirm(market.world.rpc.send_transaction(wire))
        # another member's deposit, never signed, is past its time
        unsigned = deposits.open_deposit(db.session.merge(late), market.mint, "fund", late_tokens, market.world.rpc)
        unsigned.deposit.expires_at = datetime.now(UTC) - timedelta(seconds=1)
        db.session.commit()
        unsigned_id = unsigned.deposit.id
        assert db.session.scalar(select(StakePosition)) is None  # nothing credited before it is settled

        assert jobs.settle_trade_orders() == {"settled": 0, "deposits": 2}
        assert get_row(StakeDeposit, opened.deposit.id).status == "confirmed"
        assert get_row(StakeDeposit, unsigned_id).status == "expired"
        position = db.session.scalar(select(StakePosition))
        assert position is not None, "the settled stake opened no position"
        assert (position.user_id, int(position.amount)) == (holder.user.id, amount)
        assert deposits.settle_open_deposits(market.world.rpc) == 0  # settled once: nothing is credited twice
        assert int(db.session.execute(select(StakePosition.amount)).scalar_one()) == amount
    assert market.tokens_of(stake_wallet(market)) == amount and market.tokens_of(late_keys.pubkey()) == late_tokens


def test_demo_traders_stake_part_of_their_holdings_and_give_to_the_fund(market: Market) -> None:
    from webapp.services.staking import demo_stakers
    from webapp.services.trading import demo_trader

    with market.app.app_context():
        rpc = market.world.rpc
        for index in range(demo_stakers.STAKERS):
            assert demo_trader.trade(rpc, market.mint, index, "buy", (index + 1) * SOL // 10) is not None
        held = {}
        for index in range(demo_stakers.STAKERS):
            user, _ = demo_trader.trader(index)
            held[user.id] = market.tokens_of(user.wallet)
        assert demo_stakers.stake_demo_holdings(rpc, log_line=lambda line: None) == 2 * demo_stakers.STAKERS
        for user_id, tokens in held.items():
            staked = int(db.session.execute(
                select(StakePosition.amount).where(StakePosition.user_id == user_id)).scalar_one())
            assert tokens * 20 // 100 <= staked <= tokens * 40 // 100
            [gift] = db.session.scalars(select(StakeDeposit.amount).where(
                StakeDeposit.user_id == user_id, StakeDeposit.kind == "fund", StakeDeposit.status == "confirmed"))
            assert int(gift) == tokens * 5 // 100
            wallet = get_row(User, user_id).wallet
            assert market.tokens_of(wallet) == tokens - staked - int(gift)
        total_staked = sum(int(a) for a in db.session.scalars(select(StakePosition.amount)))
        # seeding again adds nothing
        assert demo_stakers.stake_demo_holdings(rpc, log_line=lambda line: None) == 0
    assert market.tokens_of(stake_wallet(market)) == total_staked
