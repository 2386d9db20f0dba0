"""Demo members trading the demo tokens on their curves and pools, Stable Grounds pools too (local chain only).

Each trade goes through the same path a member's does (quote, member
signature, re-price and vault co-signature under the market's lock), with a demo member's
key standing in for their wallet; demo keys derive from a public seed, so
this only ever runs against the local chain.
"""
from __future__ import annotations

import logging
import random

from solders.keypair import Keypair
from sqlalchemy import select

from webapp.chain.rpc import SolanaRpcClient
from webapp.extensions import db
from webapp.models import BondingCurve, OrderStatus, Token, TradeOrder, User
from webapp.services.trading import markets, orders
from webapp.services.trading.markets import TradeError
from webapp.services.trading.messages import signed_by_base64

log = logging.getLogger("momentum.demo")
LAMPORTS_PER_SOL = 10**9
FIRST_TRADER = 20  # demo member indexes 20… trade; lower ones are applicants and team wallets
TRADERS = 8


def trader(index: int) -> tuple[User, Keypair]:
    """A demo trader's user row and key (created on first use)."""
    from webapp.services.demo import demo_keypair

    keypair = demo_keypair(FIRST_TRADER + index)
    wallet = str(keypair.pubkey())
    user = db.session.scalar(select(User).where(User.wallet == wallet))
    if user is None:
        user = User(wallet=wallet, display_name=f"trader{index}")
        db.session.add(user)
        db.session.commit()
    return user, keypair


def trade(client: SolanaRpcClient, mint: str, index: int, side: str, amount: int) -> TradeOrder | None:
    """One demo trade; None when the market refuses it (busy, too small, nothing to sell)."""
    from webapp.services.demo import top_up

    user, keypair = trader(index)
    top_up(client, keypair.pubkey(), 20 * LAMPORTS_PER_SOL)
    try:
        placed = orders.place_order(user, mint, side, amount, slippage_bps=500, expected=None, client=client)
        order = orders.submit_order(user, placed.order.id, signed_by_base64(keypair, placed.transaction), client)
    except TradeError as error:
        log.info("demo %s on %s refused: %s", side, mint, error)
        return None
    return order if order.status == OrderStatus.CONFIRMED.value else None


def random_trade(client: SolanaRpcClient, rng: random.Random) -> TradeOrder | None:
    """Buy 0.05-1 SOL, or sell part of a holding, on a random demo curve or pool."""
    mints = db.session.scalars(select(BondingCurve.mint).where(BondingCurve.phase != "graduating")).all()
    if not mints:
        return None
    mint, index = rng.choice(mints), rng.randrange(TRADERS)
    user, _ = trader(index)
    token = db.session.scalar(select(Token).where(Token.mint == mint))
    held = orders.member_funds(client, user.wallet, token).token_balance if token else 0
    if held and rng.random() < 0.4:
        return trade(client, mint, index, "sell", max(1, held * rng.randint(10, 60) // 100))
    return trade(client, mint, index, "buy", rng.randint(5, 100) * LAMPORTS_PER_SOL // 100)


def buy_out(client: SolanaRpcClient, mint: str) -> TradeOrder | None:
    """Buy every token left on a curve (it then graduates): the demo's graduated token."""
    curve = markets.curve_for(mint)
    if curve is None or curve.phase != "curve":
        return None
    remaining = markets.progress(curve).remaining_lamports
    _, keypair = trader(TRADERS)  # a whale outside the random traders
    need = remaining * 2 + 5 * LAMPORTS_PER_SOL
    while client.get_balance(keypair.pubkey()) < need:
        client.confirm(client.request_airdrop(keypair.pubkey(), 50 * LAMPORTS_PER_SOL))
    return trade(client, mint, TRADERS, "buy", remaining * 2)
