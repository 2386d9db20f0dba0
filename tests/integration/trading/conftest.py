"""A launched Wild Fires token on the local chain, members with SOL, and a wallet that signs like theirs."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from flask import Flask
from solders.keypair import Keypair
from solders.pubkey import Pubkey

from tests.integration.payouts.conftest import PayoutWorld, chain, payout_world  # noqa: F401
from webapp.extensions import db
from webapp.models import OrderStatus, Role, TradeOrder, User
from webapp.services import launches, platform_wallets
from webapp.services.launches import LaunchDraft
from webapp.services.trading import orders
from webapp.services.trading.messages import signed_by_base64

SOL = 10**9


def wallet_signs(keypair: Keypair, unsigned_base64: str) -> str:
    """What a member's wallet does with the server's transaction: fill in its own signature."""
    return signed_by_base64(keypair, unsigned_base64)


def sign_until_landed(user: User, keypair: Keypair, placed: orders.PlacedOrder, rpc, tries: int = 30) -> TradeOrder:
    """Sign the quote; when the price moved past it, sign the new quote, as a member would. Needs an app context."""
    for _ in range(tries):
        try:
            order = orders.submit_order(user, placed.order.id, wallet_signs(keypair, placed.transaction), rpc)
        except orders.PriceMoved as moved:
            placed = moved.placed
            continue
        assert order.status == OrderStatus.CONFIRMED.value, order.error
        db.session.expunge(order)
        return order
    raise AssertionError("the price kept moving past every quote")


@dataclass
class Market:
    world: PayoutWorld
    mint: str
    application_id: int
    members: dict[str, Keypair] = field(default_factory=dict)

    @property
    def app(self) -> Flask:
        return self.world.app

    def address(self, wallet_name: str) -> str:
        with self.app.app_context():
            return platform_wallets.keystore().address(wallet_name).__str__()

    def tokens_of(self, owner: str | Pubkey) -> int:
        return sum(h.amount for h in self.world.rpc.get_token_accounts_by_owner(str(owner), mint=self.mint))

    def lamports_of(self, owner: str | Pubkey) -> int:
        return self.world.rpc.get_balance(str(owner), "confirmed")

    def member(self, lamports: int = 5 * SOL) -> tuple[User, Keypair]:
        keypair = Keypair()
        self.world.rpc.confirm(self.world.rpc.request_airdrop(keypair.pubkey(), lamports))
        with self.app.app_context():
            user = User(wallet=str(keypair.pubkey()), role=Role.MEMBER.value)
            db.session.add(user)
            db.session.commit()
            db.session.refresh(user)
            db.session.expunge(user)
        return user, keypair


@pytest.fixture()
def market(payout_world: PayoutWorld) -> Iterator[Market]:  # noqa: F811
    """A Wild Fires token launched through the real launch path: its supply sits in the curve vault."""
    world = payout_world
    with world.app.app_context():
        treasury = platform_wallets.ensure_wallet("treasury", "Platform reserves").address
    world.rpc.confirm(world.rpc.request_airdrop(Pubkey.from_string(treasury), 50 * SOL))
    with world.app.app_context():
        applicant = User(wallet=str(Keypair().pubkey()), role=Role.MEMBER.value)
        db.session.add(applicant)
        db.session.commit()
        application = launches.submit(applicant, LaunchDraft("Spark Fire", "SPRK", "wild_fires"))
        launches.review(None, application, approve=True)
        launches.launch(application, world.rpc)
        mint, application_id = str(application.mint), application.id
        db.session.remove()
    yield Market(world, mint, application_id)
