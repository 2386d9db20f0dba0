"""A launched token whose members hold some of it, and helpers to stake, contribute and look at the chain."""
from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from solders.keypair import Keypair
from sqlalchemy import func, select

from tests.integration.trading.conftest import SOL, Market, chain, market, payout_world, wallet_signs  # noqa: F401
from webapp.extensions import db
from webapp.models import Payout, StakeDeposit, StakePosition, StakeWithdrawal, User
from webapp.services import platform_wallets
from webapp.services.trading import orders


@dataclass
class Holder:
    user: User
    keypair: Keypair
    tokens: int  # what the member holds after buying

    @property
    def wallet(self) -> str:
        return str(self.keypair.pubkey())


def buy_tokens(market: Market, user: User, keypair: Keypair, lamports: int) -> int:  # noqa: F811
    """A real buy on the token's curve, through the members' path; the tokens now held."""
    with market.app.app_context():
        user = db.session.merge(user)
        placed = orders.place_order(user, market.mint, "buy", lamports, slippage_bps=500, expected=None,
                                    client=market.world.rpc)
        order = orders.submit_order(user, placed.order.id, wallet_signs(keypair, placed.transaction), market.world.rpc)
        assert order.status == "confirmed", order.error
    return market.tokens_of(keypair.pubkey())


@pytest.fixture()
def holder(market: Market) -> Holder:  # noqa: F811
    user, keypair = market.member(3 * SOL)
    return Holder(user, keypair, buy_tokens(market, user, keypair, SOL // 2))


def stake_wallet(market: Market, kind: str = "stake") -> str:  # noqa: F811
    """The address of the token's stake escrow (or community fund), once it exists."""
    with market.app.app_context():
        wallet = platform_wallets.wallet_by_name(f"{kind}_1")  # the market's token is token id 1
        assert wallet is not None, f"no {kind} wallet yet"
        return wallet.address


def units(amount: int) -> str:
    """Base units as the text a member types (6 decimals)."""
    return f"{amount // 10**6}.{amount % 10**6:06d}"


def post(client, auth, url: str, **form: str):
    """A POST as htmx (and wallet.js) sends it: the answer is the fragment."""
    return client.post(url, data={**form, "csrf_token": auth.csrf_token()}, headers={"HX-Request": "true"})


def deposit_in(html: str) -> tuple[str, str]:
    transaction = re.search(r'data-transaction="([^"]+)"', html)
    submit = re.search(r'data-submit-url="([^"]+)"', html)
    assert transaction and submit, html
    return transaction.group(1), submit.group(1)


def deposit(client, auth, market: Market, keypair: Keypair, kind: str, amount: int) -> str:  # noqa: F811
    """Stake or contribute through the pages, the member's wallet signing; the result fragment."""
    reply = post(client, auth, f"/tokens/{market.mint}/{kind}", amount=units(amount))
    assert reply.status_code == 200, reply.get_data(as_text=True)
    unsigned, submit_url = deposit_in(reply.get_data(as_text=True))
    result = post(client, auth, submit_url, signed=wallet_signs(keypair, unsigned))
    assert result.status_code == 200, result.get_data(as_text=True)
    assert result.headers.get("HX-Trigger") == "stake-changed"
    return result.get_data(as_text=True)


@dataclass(frozen=True)
class Snapshot:
    """Every row staking writes, and the balances it moves."""

    deposits: tuple[tuple[int, str, str | None], ...]
    positions: tuple[tuple[int, int], ...]
    withdrawals: int
    payouts: int
    balances: tuple[int, ...]


def snapshot(market: Market, *owners: str) -> Snapshot:  # noqa: F811
    with market.app.app_context():
        deposits = tuple(db.session.execute(select(StakeDeposit.id, StakeDeposit.status, StakeDeposit.signature)
                                            .order_by(StakeDeposit.id)).all())
        positions = tuple((user_id, int(amount)) for user_id, amount in db.session.execute(
            select(StakePosition.user_id, StakePosition.amount).order_by(StakePosition.id)))
        withdrawals = db.session.scalar(select(func.count()).select_from(StakeWithdrawal))
        payouts = db.session.scalar(select(func.count()).select_from(Payout))
        db.session.remove()
    balances = tuple(value for owner in owners for value in (market.tokens_of(owner), market.lamports_of(owner)))
    return Snapshot(deposits, positions, withdrawals or 0, payouts or 0, balances)
