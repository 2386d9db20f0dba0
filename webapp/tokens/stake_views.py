"""Staking and the community fund of a token launched on Momentum (registered on the tokens blueprint).

Stake or contribute (signed-in member: checked on chain, returned as a
transaction for the wallet) → submit (the wallet's signature; the receiving
wallet co-signs, sends and settles). Unstake asks the payout engine to pay
the tokens back. The token page is cached for visitors, so the member's part
is a fragment of its own.
"""
from __future__ import annotations

from flask import current_app, render_template, request
from flask_login import current_user, login_required
from markupsafe import Markup
from sqlalchemy import select

from webapp.chain.rpc import SolanaRpcError, SolanaUnavailable
from webapp.extensions import db, limiter, solana_client
from webapp.models import Token
from webapp.services.member_transactions import member_funds
from webapp.services.payouts.amounts import AmountError, tokens_to_base_units
from webapp.services.staking import deposits, positions, wallets
from webapp.services.staking.wallets import StakeError
from webapp.templating import is_htmx
from webapp.tokens.views import bp

CHAIN_UNREACHABLE = StakeError("The Solana network cannot be reached right now; nothing was sent. Try again shortly.",
                               503)
STAKE_CHANGED = {"HX-Trigger": "stake-changed"}  # the stake card reloads the member's figures


def _amount(token: Token) -> int:
    try:
        return tokens_to_base_units(request.form.get("amount", ""), token.decimals)
    except AmountError as error:
        raise StakeError(str(error), 422) from error


def _answer(token: Token | None, html: str, status: int = 200,
            headers: dict[str, str] | None = None) -> tuple[str, int, dict[str, str]]:
    """The result fragment for htmx (and wallet.js); the stake page around it otherwise."""
    if not is_htmx() and token is not None:
        html = render_template("tokens/stake.html", token=token, member_inline=_member_html(token),
                               result=Markup(html))
    return html, status, headers or {}


def _problem(error: StakeError, token: Token | None = None) -> tuple[str, int, dict[str, str]]:
    db.session.rollback()
    page_token = token if token is not None and error.status != 404 else None  # no stake page for a 404
    return _answer(page_token, render_template("tokens/_stake_problem.html", message=str(error)), error.status)


def _token_or_none(mint: str) -> Token | None:
    return db.session.scalar(select(Token).where(Token.mint == mint))


def _member_html(token: Token) -> Markup:
    mine = None
    if current_user.is_authenticated:
        try:
            balance: int | None = member_funds(solana_client(), current_user.wallet, token).token_balance
        except (SolanaUnavailable, SolanaRpcError, RuntimeError):
            balance = None
        mine = positions.member_stake(current_user, token, balance)
    return Markup(render_template("tokens/_stake_member.html", token=token, mine=mine))


@bp.get("/<mint>/stake")
def stake_panel(mint: str) -> str | tuple[str, int, dict[str, str]]:
    """The visitor's part of the stake card: their stake, contribution, balance and the forms (or a sign-in)."""
    try:
        token = wallets.launched_token(mint)
    except StakeError as error:
        return _problem(error)
    if is_htmx():
        return str(_member_html(token))
    return render_template("tokens/stake.html", token=token, member_inline=_member_html(token), result=None)


def _deposit(mint: str, kind: str) -> tuple[str, int, dict[str, str]]:
    token = _token_or_none(mint)
    try:
        amount = _amount(token) if token else 0
        opened = deposits.open_deposit(current_user, mint, kind, amount, solana_client())
    except StakeError as error:
        return _problem(error, token)
    except (SolanaUnavailable, SolanaRpcError):
        return _problem(CHAIN_UNREACHABLE, token)
    return _answer(token, render_template(
        "tokens/_stake_deposit.html", deposit=opened.deposit, transaction=opened.transaction, token=token,
        cluster=current_app.config["SOLANA_CLUSTER"], seconds=current_app.config["STAKE_SIGN_SECONDS"]))


@bp.post("/<mint>/stake")
@login_required
@limiter.limit("30 per minute")
def stake(mint: str) -> tuple[str, int, dict[str, str]]:
    """Check the member's balance and hand their wallet the stake transaction to sign."""
    return _deposit(mint, "stake")


@bp.post("/<mint>/fund")
@login_required
@limiter.limit("30 per minute")
def contribute(mint: str) -> tuple[str, int, dict[str, str]]:
    """Check the member's balance and hand their wallet the contribution to sign."""
    return _deposit(mint, "fund")


@bp.post("/<mint>/deposits/<int:deposit_id>/submit")
@login_required
@limiter.limit("30 per minute")
def submit_deposit(mint: str, deposit_id: int) -> tuple[str, int, dict[str, str]]:
    """The wallet signed: check it, co-sign as the receiving wallet, send and wait for confirmation."""
    token = _token_or_none(mint)
    try:
        deposit = deposits.submit_deposit(current_user, mint, deposit_id, request.form.get("signed", ""),
                                          solana_client())
    except StakeError as error:
        return _problem(error, token)
    except SolanaUnavailable:
        return _problem(CHAIN_UNREACHABLE, token)
    status = 200 if deposit.status in ("confirmed", "sent") else 409
    return _answer(token, render_template("tokens/_stake_result.html", deposit=deposit, token=token), status,
                   STAKE_CHANGED)


@bp.post("/<mint>/unstake")
@login_required
@limiter.limit("30 per minute")
def unstake(mint: str) -> tuple[str, int, dict[str, str]]:
    """Take staked tokens back: the position shrinks now and the escrow pays them out exactly once."""
    token = _token_or_none(mint)
    try:
        amount = _amount(token) if token else 0
        withdrawal = positions.unstake(current_user, mint, amount, solana_client())
    except StakeError as error:
        return _problem(error, token)
    except (SolanaUnavailable, SolanaRpcError):
        return _problem(CHAIN_UNREACHABLE, token)
    return _answer(token, render_template("tokens/_unstake_result.html", withdrawal=withdrawal, token=token),
                   200, STAKE_CHANGED)
