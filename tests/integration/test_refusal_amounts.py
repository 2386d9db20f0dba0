"""Every refusal that names an amount says it in SOL or token units, never in lamports or base units.

Each path is driven the way a member (or the payout run) meets it, and what it answers goes through
`assert_human_amounts`: no run of eight or more digits outside addresses and signatures, and no
"lamports" or "base units".
"""
from __future__ import annotations

from solders.keypair import Keypair
from solders.system_program import TransferParams, transfer
from sqlalchemy.orm import make_transient

from tests.conftest import assert_human_amounts
from tests.integration.staking.conftest import (  # noqa: F401
    SOL,
    Holder,
    Market,
    chain,
    holder,
    market,
    payout_world,
    post,
    units,
)
from webapp.chain import spl
from webapp.extensions import db
from webapp.models import MarketPhase
from webapp.services.payouts import runs
from webapp.services.payouts.requests import PayoutRequest, request_payouts
from webapp.services.trading import markets
from webapp.services.trading.markets import TradeError


def _refused(reply, words: str) -> str:
    html = reply.get_data(as_text=True)
    assert 400 <= reply.status_code < 500, (reply.status_code, html)
    assert words in html, html
    assert_human_amounts(html)
    return html


def _preview(client, mint: str, side: str, amount: str):
    return client.get(f"/tokens/{mint}/trade/preview", query_string={"side": side, "amount": amount},
                      headers={"HX-Request": "true"})


def test_trade_refusals_speak_in_sol_and_token_units(market: Market, holder: Holder, client, auth) -> None:  # noqa: F811
    _, poor_keys = market.member(SOL // 20)  # 0.05 SOL, no SPRK
    auth.sign_in(poor_keys)
    trade = f"/tokens/{market.mint}/trade"
    cannot_pay = _refused(post(client, auth, trade, side="buy", amount="4"), "this buy needs")
    assert "Your wallet holds 0.05 SOL" in cannot_pay and "SOL with fees" in cannot_pay
    not_held = _refused(post(client, auth, trade, side="sell", amount="1000"), "you asked to sell")
    assert "Your wallet holds 0 SPRK" in not_held and "1,000 SPRK" in not_held
    never_sold = _refused(post(client, auth, trade, side="sell", amount="999999999"), "have been sold on this curve")
    assert f"Only {holder.tokens // 10**6:,}." in never_sold and "SPRK" in never_sold
    _refused(post(client, auth, trade, side="buy", amount="0.000000001"), "0.000000001 SOL is too little")
    _refused(post(client, auth, trade, side="sell", amount="0.000001"), "0.000001 SPRK are too few")
    for amount, words in (("0", "above zero"), ("1e999999999", "too large"), ("-3", "above zero"),
                          ("0.0000000001", "9 decimals")):
        _refused(post(client, auth, trade, side="buy", amount=amount), words)
    _refused(post(client, auth, trade, side="sell", amount="0.0000001"), "6 decimals")
    _refused(post(client, auth, trade, side="buy", amount="0.01", slippage_bps="90000"), "Slippage must be")
    _refused(post(client, auth, trade, side="buy", amount="0.01", slippage_bps="lots"), "Choose a slippage limit")
    _refused(post(client, auth, trade, side="buy", amount="0.01", expected=str(10**18), expected_amount="0.01"),
             "slippage limit")
    # the preview answers the same refusals to anyone, before any wallet is asked
    _refused(_preview(client, market.mint, "sell", "999999999"), "have been sold on this curve")
    _refused(_preview(client, market.mint, "buy", "0.000000001"), "too little")
    _refused(_preview(client, market.mint, "sell", "0.000001"), "too few")


def test_pool_refusals_speak_in_sol_and_token_units(market: Market) -> None:  # noqa: F811
    with market.app.app_context():
        curve = markets.curve_for(market.mint)
        assert curve is not None
        make_transient(curve)  # a graduated copy, never written back
        curve.phase, curve.pool_sol_reserves, curve.pool_token_reserves = (
            MarketPhase.POOL.value, 80 * SOL, 206_900_000 * 10**6)
        for side, amount, words in (("buy", 1, "0.000000001 SOL is too little"), ("buy", 0, "positive amount of SOL"),
                                    ("sell", 1, "0.000001 SPRK are too few"), ("sell", 0, "at least 0.000001 SPRK")):
            try:
                markets.quote(curve, side, amount)
            except TradeError as refusal:
                assert words in str(refusal), str(refusal)
                assert_human_amounts(str(refusal))
            else:
                raise AssertionError(f"a pool {side} of {amount} was not refused")
        db.session.rollback()


def test_stake_refusals_speak_in_token_units(market: Market, holder: Holder, client, auth) -> None:  # noqa: F811
    auth.sign_in(holder.keypair)
    for kind, verb in (("stake", "stake"), ("fund", "contribute")):
        html = _refused(post(client, auth, f"/tokens/{market.mint}/{kind}", amount=units(holder.tokens * 2)),
                        f"you asked to {verb}")
        assert f"{holder.tokens * 2 // 10**6:,}" in html and "SPRK" in html
    unstake = _refused(post(client, auth, f"/tokens/{market.mint}/unstake", amount="1000"), "you asked to unstake")
    assert "You have 0 SPRK staked" in unstake and "1,000 SPRK" in unstake
    # a wallet that holds the tokens but not the SOL for the network fee and rent
    rpc = market.world.rpc
    keep = 900_000  # rent-exempt itself, but not once the fee is paid
    gone = rpc.get_balance(holder.keypair.pubkey(), "confirmed") - keep - 5_000
    drain = transfer(TransferParams(from_pubkey=holder.keypair.pubkey(), to_pubkey=Keypair().pubkey(), lamports=gone))
    rpc.confirm(rpc.send_transaction(spl.sign([drain], holder.keypair, rpc.get_latest_blockhash().blockhash)))
    html = _refused(post(client, auth, f"/tokens/{market.mint}/stake", amount="1"), "left over for rent")
    assert "Your wallet holds 0.0009 SOL" in html and "0.00001 SOL" in html and "0.00089088 SOL" in html


def _run_short(world, recipients: list[str], each: int) -> str:
    with world.app.app_context():
        request_payouts([PayoutRequest(world.wallet_name, recipient, str(world.mint), each, "pool", "test",
                                       f"short:{recipient}") for recipient in recipients], runs.chain_gateway())
        run = runs.execute_run(world.wallet_name)
        assert run.status == "halted", run.status
        return run.halt_reason or ""


def test_a_token_shortfall_speaks_in_token_units(payout_world) -> None:  # noqa: F811
    payout_world.fund(123_450_000, lamports=10**9)  # 123.45 tokens, while the payouts ask for 150
    reason = _run_short(payout_world, [str(Keypair().pubkey()) for _ in range(3)], 50 * 10**6)
    assert "holds 123.45" in reason and "need 150" in reason, reason
    assert_human_amounts(reason)


def test_a_sol_shortfall_speaks_in_sol(payout_world) -> None:  # noqa: F811
    payout_world.fund(150 * 10**6, lamports=SOL // 1000)  # every token, but 0.001 SOL for three new accounts
    reason = _run_short(payout_world, [str(Keypair().pubkey()) for _ in range(3)], 50 * 10**6)
    assert "has 0.001 SOL" in reason and "may need 0.0061" in reason, reason
    assert_human_amounts(reason)
