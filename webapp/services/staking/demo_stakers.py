"""Demo traders staking and giving to the community fund of every launched token (local chain only).

They go through the members' path (deposit, member signature, the receiving
wallet's co-signature) with a demo key standing in for their wallet.
"""
from __future__ import annotations

import logging
import random
from collections.abc import Callable

from solders.keypair import Keypair
from sqlalchemy import select

from webapp.chain.rpc import SolanaRpcClient
from webapp.extensions import db
from webapp.models import DepositStatus, LaunchApplication, LaunchStatus, StakeDeposit, Token, User
from webapp.services.member_transactions import member_funds
from webapp.services.staking import deposits
from webapp.services.staking.wallets import StakeError
from webapp.services.trading.messages import signed_by_base64

log = logging.getLogger("momentum.demo")
STAKERS = 3          # the first demo traders
FUND_PERCENT = 5


def deposit(client: SolanaRpcClient, user: User, keypair: Keypair, mint: str, kind: str,
            amount: int) -> StakeDeposit | None:
    """One demo stake or contribution; None when it is refused or does not land."""
    try:
        opened = deposits.open_deposit(user, mint, kind, amount, client)
        done = deposits.submit_deposit(user, mint, opened.deposit.id, signed_by_base64(keypair, opened.transaction),
                                       client)
    except StakeError as error:
        log.info("demo %s on %s refused: %s", kind, mint, error)
        return None
    return done if done.status == DepositStatus.CONFIRMED.value else None


def stake_demo_holdings(client: SolanaRpcClient, log_line: Callable[[str], object] = print) -> int:
    """Each of the first demo traders stakes 20-40 % of what they hold and gives 5 % to the fund, once per token."""
    from webapp.services.trading.demo_trader import trader

    mints = db.session.scalars(select(LaunchApplication.mint).where(
        LaunchApplication.status == LaunchStatus.LAUNCHED.value, LaunchApplication.mint.is_not(None))
        .order_by(LaunchApplication.id)).all()
    confirmed = 0
    for mint in mints:
        if mint is None:  # the query already skips them; this tells the type checker
            continue
        token = db.session.scalar(select(Token).where(Token.mint == mint))
        if token is None:
            continue
        rng = random.Random(f"stake:{mint}")
        for index in range(STAKERS):
            user, keypair = trader(index)
            if db.session.scalar(select(StakeDeposit.id).where(StakeDeposit.user_id == user.id,
                                                               StakeDeposit.mint == mint).limit(1)):
                continue  # seeded before
            held = member_funds(client, user.wallet, token).token_balance
            stake, give = held * rng.randint(20, 40) // 100, held * FUND_PERCENT // 100
            landed = sum(1 for kind, amount in (("stake", stake), ("fund", give))
                         if amount > 0 and deposit(client, user, keypair, mint, kind, amount) is not None)
            if landed:
                log_line(f"demo trader {index} staked and gave to the fund on {token.symbol}")
            confirmed += landed
    return confirmed
