"""Trading on a token's curve or pool (registered on the tokens blueprint).

Preview (anyone) → order (signed-in member: quoted without locking anyone out,
returned as a transaction for the wallet) → submit (the wallet's signature;
the vault re-prices under the market's lock, co-signs, sends and settles, or
answers with a new quote when the price moved past the member's slippage).
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import abort, current_app, render_template, request
from flask_login import current_user, login_required
from sqlalchemy import select

from webapp.chain.rpc import SolanaRpcError, SolanaUnavailable
from webapp.extensions import db, limiter, solana_client
from webapp.models import BondingCurve, Token
from webapp.services.payouts.amounts import AmountError, tokens_to_base_units
from webapp.services.trade_wallet import trade_wallet as trade_wallet_of
from webapp.services.trading import markets, orders
from webapp.services.trading.markets import TradeError
from webapp.templating import is_htmx
from webapp.tokens.views import bp

SOL_DECIMALS = 9
TRADE_CHANGED = {"HX-Trigger": "trade-changed, stake-changed"}
CHAIN_UNREACHABLE = TradeError("The Solana network cannot be reached right now; nothing was sent. Try again shortly.",
                               503)


@dataclass(frozen=True)
class TradeRequest:
    token: Token
    curve: BondingCurve
    side: str
    amount: int


def _trade_request(mint: str) -> TradeRequest:
    """The token, its market and the amount typed, in base units (lamports to spend, or token units to sell)."""
    token = db.session.scalar(select(Token).where(Token.mint == mint))
    curve = markets.curve_for(mint)
    if token is None or curve is None:
        raise TradeError("This token has no bonding curve or pool on Momentum.", 404)
    side = request.values.get("side", "buy")
    if side not in ("buy", "sell"):
        raise TradeError("Choose buy or sell.", 400)
    try:
        amount = tokens_to_base_units(request.values.get("amount", ""),
                                      SOL_DECIMALS if side == "buy" else token.decimals)
    except AmountError as error:
        raise TradeError(str(error), 422) from error
    return TradeRequest(token, curve, side, amount)


def _problem(error: TradeError) -> tuple[str, int]:
    return render_template("tokens/_trade_problem.html", message=str(error)), error.status


def _slippage_bps() -> int | None:
    """The slippage limit chosen in the form, or None when it is not one the order would take."""
    text = request.values.get("slippage_bps", "").strip()
    bps = int(text) if text.isdigit() else -1
    return bps if 0 <= bps <= orders.MAX_SLIPPAGE_BPS else None


@bp.get("/<mint>/trade/preview")
def trade_preview(mint: str) -> str | tuple[str, int]:
    """What the amount typed would get at the current reserves, and the least it accepts (htmx, as the form changes)."""
    if not request.values.get("amount", "").strip():
        return render_template("tokens/_trade_preview.html", quote=None, token=None)
    try:
        trade = _trade_request(mint)
        quote = markets.quote(trade.curve, trade.side, trade.amount)
    except TradeError as error:
        return _problem(error)
    slippage = _slippage_bps()
    minimum = None if slippage is None else markets.minimum_received(quote, slippage)
    return render_template("tokens/_trade_preview.html", quote=quote, token=trade.token, minimum=minimum,
                           slippage_bps=slippage)


@bp.get("/<mint>/trade/wallet")
def trade_wallet(mint: str) -> str | tuple[str, int]:
    """The visitor's part of the trade box: their SOL and token balances and the max buttons (or a sign-in)."""
    token = db.session.scalar(select(Token).where(Token.mint == mint))
    if token is None:
        return _problem(TradeError("Momentum does not track this mint.", 404))
    wallet = trade_wallet_of(current_user, token, solana_client()) if current_user.is_authenticated else None
    return render_template("tokens/_trade_wallet.html", token=token, wallet=wallet)


@bp.get("/<mint>/trade")
def trade_needs_wallet(mint: str) -> str | tuple[str, int]:
    """Where the trade form lands without JavaScript: trading needs a wallet extension signing in the browser."""
    token = db.session.scalar(select(Token).where(Token.mint == mint))
    if token is None:
        abort(404, description="Momentum does not track this mint.")
    problem = TradeError("Trading needs a Solana wallet extension, which signs each trade in your browser.", 400)
    if is_htmx():
        return _problem(problem)
    side = "sell" if request.args.get("side") == "sell" else "buy"
    return render_template("tokens/trade_needs_wallet.html", token=token, side=side,
                           amount=request.args.get("amount", "").strip()[:40])


@bp.post("/<mint>/trade")
@login_required
@limiter.limit("30 per minute")
def place_trade(mint: str) -> str | tuple[str, int]:
    """Quote on fresh reserves and hand the member's wallet the transaction to sign."""
    try:
        trade = _trade_request(mint)
        slippage = int(request.form.get("slippage_bps", "100"))
        # the preview's figure counts only if it was for the amount now posted
        same_amount = request.form.get("expected_amount", "").strip() == request.form.get("amount", "").strip()
        expected = request.form.get("expected", "") if same_amount else ""
        placed = orders.place_order(current_user, mint, trade.side, trade.amount, slippage_bps=slippage,
                                    expected=int(expected) if expected.isdigit() else None, client=solana_client())
    except ValueError as error:  # TradeError, or a slippage that is not a number
        return _problem(error if isinstance(error, TradeError) else TradeError("Choose a slippage limit.", 400))
    except (SolanaUnavailable, SolanaRpcError):
        return _problem(CHAIN_UNREACHABLE)
    return _firm_quote(placed, trade.token)


def _firm_quote(placed: orders.PlacedOrder, token: Token, notice: str | None = None) -> str:
    return render_template("tokens/_trade_order.html", order=placed.order, transaction=placed.transaction,
                           token=token, cluster=current_app.config["SOLANA_CLUSTER"], seconds=placed.seconds_left,
                           expires_at=placed.expires_at, notice=notice)


@bp.post("/<mint>/trade/<int:order_id>/submit")
@login_required
def submit_trade(mint: str, order_id: int) -> tuple[str, int] | tuple[str, int, dict[str, str]]:
    """The wallet signed: check it, co-sign as the venue, send and wait for confirmation."""
    token = db.session.scalar(select(Token).where(Token.mint == mint))
    if token is None:
        return _problem(TradeError("Momentum does not track this mint.", 404))
    try:
        order = orders.submit_order(current_user, order_id, request.form.get("signed", ""), solana_client())
    except orders.PriceMoved as moved:
        return _firm_quote(moved.placed, token, notice=str(moved)), 409
    except TradeError as error:
        return _problem(error)
    except (SolanaUnavailable, SolanaRpcError):
        return _problem(CHAIN_UNREACHABLE)
    if order.status not in ("confirmed", "sent"):
        return render_template("tokens/_trade_result.html", order=order, token=token), 409
    # the trade box's balances and the stake card's wallet figure reload (wallet.js passes these on)
    return render_template("tokens/_trade_result.html", order=order, token=token), 200, TRADE_CHANGED
