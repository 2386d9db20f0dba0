"""The signed-in member's side of the trade box: what they hold and the most they can buy or sell.

The token page is one set of bytes shared by every visitor, so this is read
for its own fragment (tokens/trade_views.py), never while the page renders.
Tokens come from the indexer's holder rows, plus the member's own confirmed
trades the indexer has not reached yet, so the box is right the moment a
trade confirms. SOL has no indexed balance: it is the one chain read.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from solders.pubkey import Pubkey
from sqlalchemy import exists, func, select

from webapp.chain.rpc import SolanaRpcClient, SolanaRpcError, SolanaUnavailable
from webapp.extensions import db
from webapp.models import HolderAccount, IndexedTransaction, OrderStatus, Token, TradeOrder, User
from webapp.services.member_transactions import NETWORK_FEE_LAMPORTS, WALLET_RENT_MINIMUM
from webapp.services.trading.orders import TOKEN_ACCOUNT_RENT

SOL_DECIMALS = 9


@dataclass(frozen=True)
class TradeWallet:
    lamports: int | None  # SOL in the wallet; None when the chain cannot be reached
    tokens: int  # token base units held
    max_buy_lamports: int | None  # the most a buy can spend and still pay the fee, the token account and rent
    max_sell_tokens: int

    def max_buy_input(self) -> str | None:
        """The max buy as the amount field takes it (`4.4875`, no separators)."""
        return None if self.max_buy_lamports is None else amount_input(self.max_buy_lamports, SOL_DECIMALS)

    def max_sell_input(self, decimals: int) -> str:
        return amount_input(self.max_sell_tokens, decimals)


def amount_input(units: int, decimals: int) -> str:
    """Base units as a plain decimal a person could have typed: exact, no separators, no trailing zeros."""
    text = f"{Decimal(units).scaleb(-decimals):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def max_buy_lamports(lamports: int, has_token_account: bool) -> int:
    """All the SOL but the network fee, a new token account's rent (when needed) and the wallet's rent reserve."""
    reserved = NETWORK_FEE_LAMPORTS + WALLET_RENT_MINIMUM + (0 if has_token_account else TOKEN_ACCOUNT_RENT)
    return max(lamports - reserved, 0)


def tokens_held(wallet: str, mint: str) -> tuple[int, bool]:
    """Base units `wallet` holds of `mint` and whether it has a token account for it, from PostgreSQL."""
    indexed, accounts = db.session.execute(
        select(func.coalesce(func.sum(HolderAccount.amount), 0), func.count())
        .where(HolderAccount.mint == mint, HolderAccount.owner == wallet)).one()
    unindexed = db.session.execute(
        select(TradeOrder.side, func.sum(TradeOrder.token_amount))
        .where(TradeOrder.mint == mint, TradeOrder.wallet == wallet,
               TradeOrder.status == OrderStatus.CONFIRMED.value,
               ~exists().where(IndexedTransaction.signature == TradeOrder.signature))
        .group_by(TradeOrder.side)).all()
    moved = sum(int(amount) if side == "buy" else -int(amount) for side, amount in unindexed)
    return max(int(indexed) + moved, 0), bool(accounts) or moved > 0


def trade_wallet(user: User, token: Token, client: SolanaRpcClient) -> TradeWallet:
    """The member's SOL (read from the chain now) and tokens (indexed), with the max of each side."""
    tokens, has_account = tokens_held(user.wallet, token.mint)
    try:
        lamports: int | None = client.get_balance(Pubkey.from_string(user.wallet), "confirmed")
    except (SolanaUnavailable, SolanaRpcError):
        lamports = None
    most = None if lamports is None else max_buy_lamports(lamports, has_account)
    return TradeWallet(lamports, tokens, most, tokens)
