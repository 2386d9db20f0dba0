"""Every bad stake, contribution or unstake gets a clear 4xx (503 for a chain that is down) and moves nothing."""
from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

from solders.hash import Hash
from solders.keypair import Keypair
from solders.message import MessageV0, to_bytes_versioned
from solders.signature import Signature
from solders.transaction import VersionedTransaction
from sqlalchemy import select

from tests.integration.staking.conftest import (
    Holder,
    Market,
    deposit,
    deposit_in,
    post,
    snapshot,
    stake_wallet,
    units,
    wallet_signs,
)
from webapp.chain.localnet.process import free_port
from webapp.extensions import db
from webapp.models import StakeDeposit
from webapp.services.indexer.tracking import track_mint


def _signed_by_stranger(unsigned: str) -> str:
    transaction = VersionedTransaction.from_bytes(base64.b64decode(unsigned))
    signatures = list(transaction.signatures)
    signatures[0] = Keypair().sign_message(to_bytes_versioned(transaction.message))
    return base64.b64encode(bytes(VersionedTransaction.populate(transaction.message, signatures))).decode()


def _changed(unsigned: str, keypair: Keypair) -> str:
    """The same instructions under another blockhash, signed by the member: not the message Momentum built."""
    message = VersionedTransaction.from_bytes(base64.b64decode(unsigned)).message
    other = MessageV0(message.header, list(message.account_keys), Hash.new_unique(), list(message.instructions), [])
    blank = [Signature.default()] * message.header.num_required_signatures
    return wallet_signs(keypair, base64.b64encode(bytes(VersionedTransaction.populate(other, blank))).decode())


def test_bad_amounts_and_mints_are_refused_and_move_nothing(market: Market, holder: Holder, client, auth) -> None:
    keypair, _ = _signed_in(auth, holder)
    deposit(client, auth, market, keypair, "stake", holder.tokens // 10)  # the wallets and a position exist
    owners = (holder.wallet, stake_wallet(market, "stake"), stake_wallet(market, "fund"))
    before = snapshot(market, *owners)
    stake, fund, unstake = (f"/tokens/{market.mint}/{action}" for action in ("stake", "fund", "unstake"))
    cases = {"0": "above zero", "-1": "above zero", "abc": "must be a number", "": "must be a number",
             "0.0000001": "decimals", "1e999999999": "too large"}
    for url in (stake, fund, unstake):
        for amount, words in cases.items():
            reply = post(client, auth, url, amount=amount)
            assert reply.status_code == 422 and words in reply.get_data(as_text=True), (url, amount)
    beyond = post(client, auth, stake, amount=units(holder.tokens))
    assert beyond.status_code == 422 and "Your wallet holds" in beyond.get_data(as_text=True)
    assert post(client, auth, fund, amount=units(holder.tokens)).status_code == 422
    over = post(client, auth, unstake, amount=units(holder.tokens // 10 + 1))
    assert over.status_code == 422 and "staked" in over.get_data(as_text=True)
    untracked = post(client, auth, f"/tokens/{Keypair().pubkey()}/stake", amount="1")
    assert untracked.status_code == 404 and "does not track" in untracked.get_data(as_text=True)
    with market.app.app_context():
        track_mint(market.world.rpc, str(market.world.mint), name="Outside Coin", symbol="OUTS")
    for action in ("stake", "fund", "unstake"):
        unlaunched = post(client, auth, f"/tokens/{market.world.mint}/{action}", amount="1")
        assert unlaunched.status_code == 404 and "launched on Momentum" in unlaunched.get_data(as_text=True)
    assert snapshot(market, *owners) == before


def test_tampered_stale_and_foreign_deposits_are_refused_and_move_nothing(market: Market, holder: Holder, client,
                                                                          auth) -> None:
    keypair, _ = _signed_in(auth, holder)
    reply = post(client, auth, f"/tokens/{market.mint}/stake", amount=units(holder.tokens // 2))
    unsigned, submit_url = deposit_in(reply.get_data(as_text=True))
    owners = (holder.wallet, stake_wallet(market, "stake"))
    before = snapshot(market, *owners)

    stranger = post(client, auth, submit_url, signed=_signed_by_stranger(unsigned))
    assert stranger.status_code == 400 and "not signed by your wallet" in stranger.get_data(as_text=True)
    changed = post(client, auth, submit_url, signed=_changed(unsigned, keypair))
    assert changed.status_code == 400 and "changed the transaction" in changed.get_data(as_text=True)
    assert post(client, auth, submit_url, signed="not base64!").status_code == 400
    assert snapshot(market, *owners) == before

    # someone else's deposit: another member cannot submit it, even correctly signed by its owner
    client.post("/auth/logout", data={"csrf_token": auth.csrf_token()})
    _other_user, other_keys = market.member()
    auth.sign_in(other_keys)
    foreign = post(client, auth, submit_url, signed=wallet_signs(keypair, unsigned))
    assert foreign.status_code == 404 and "No such deposit of yours" in foreign.get_data(as_text=True)
    wrong_mint = post(client, auth, submit_url.replace(market.mint, str(Keypair().pubkey())),
                      signed=wallet_signs(keypair, unsigned))
    assert wrong_mint.status_code == 404
    assert snapshot(market, *owners) == before

    # a deposit left unsigned past its time is stale: refused, marked expired, nothing sent
    client.post("/auth/logout", data={"csrf_token": auth.csrf_token()})
    auth.sign_in(keypair)
    with market.app.app_context():
        row = db.session.scalar(select(StakeDeposit))
        assert row is not None, "the deposit was not recorded"
        row.expires_at = datetime.now(UTC) - timedelta(seconds=1)
        db.session.commit()
    stale = post(client, auth, submit_url, signed=wallet_signs(keypair, unsigned))
    assert stale.status_code == 409 and "expired" in stale.get_data(as_text=True)
    after = snapshot(market, *owners)
    assert after.balances == before.balances and after.positions == () and after.payouts == 0
    assert [(status, signature) for _, status, signature in after.deposits] == [("expired", None)]
    again = post(client, auth, submit_url, signed=wallet_signs(keypair, unsigned))
    assert again.status_code == 409 and "already expired" in again.get_data(as_text=True)


def test_a_newer_deposit_replaces_the_unsigned_one(market: Market, holder: Holder, client, auth) -> None:
    keypair, _ = _signed_in(auth, holder)
    first = post(client, auth, f"/tokens/{market.mint}/stake", amount="1")
    unsigned, submit_url = deposit_in(first.get_data(as_text=True))
    assert post(client, auth, f"/tokens/{market.mint}/fund", amount="1").status_code == 200
    replaced = post(client, auth, submit_url, signed=wallet_signs(keypair, unsigned))
    assert replaced.status_code == 409 and "already expired" in replaced.get_data(as_text=True)
    assert market.tokens_of(stake_wallet(market)) == 0


def test_signed_out_without_csrf_or_with_the_chain_down_nothing_moves(market: Market, holder: Holder, client,
                                                                      auth) -> None:
    url = f"/tokens/{market.mint}/stake"
    signed_out = client.post(url, data={"amount": "1", "csrf_token": auth.csrf_token()}, headers={"HX-Request": "true"})
    assert signed_out.status_code == 401 and "Sign in" in signed_out.get_data(as_text=True)
    keypair, _ = _signed_in(auth, holder)
    for action in ("stake", "fund", "unstake", "deposits/1/submit"):
        no_csrf = client.post(f"/tokens/{market.mint}/{action}", data={"amount": "1"}, headers={"HX-Request": "true"})
        assert no_csrf.status_code == 400 and "security token" in no_csrf.get_data(as_text=True), action
    deposit(client, auth, market, keypair, "stake", holder.tokens // 3)  # a position to unstake from
    reply = post(client, auth, url, amount=units(holder.tokens // 3))
    unsigned, submit_url = deposit_in(reply.get_data(as_text=True))
    owners = (holder.wallet, stake_wallet(market, "stake"), stake_wallet(market, "fund"))
    before = snapshot(market, *owners)

    app = market.app
    saved = app.config["SOLANA_RPC_URLS"]
    app.config["SOLANA_RPC_URLS"] = [f"http://127.0.0.1:{free_port()}"]  # nothing listens there
    app.extensions.pop("momentum_solana", None)
    try:
        for action in ("stake", "fund", "unstake"):
            down = post(client, auth, f"/tokens/{market.mint}/{action}", amount="1")
            assert down.status_code == 503 and "cannot be reached" in down.get_data(as_text=True), action
        down = post(client, auth, submit_url, signed=wallet_signs(keypair, unsigned))
        assert down.status_code == 503 and "cannot be reached" in down.get_data(as_text=True)
        panel = client.get(url, headers={"HX-Request": "true"}).get_data(as_text=True)
        assert "chain unreachable" in panel and "Your stake" in panel
    finally:
        app.config["SOLANA_RPC_URLS"] = saved
        app.extensions.pop("momentum_solana", None)
    assert snapshot(market, *owners) == before


def _signed_in(auth, holder: Holder) -> tuple[Keypair, str]:
    auth.sign_in(holder.keypair)
    return holder.keypair, holder.wallet


def test_a_treasury_too_short_to_open_the_wallets_is_a_clear_503(market: Market, holder: Holder, client, auth) -> None:
    from solders.system_program import TransferParams, transfer

    from webapp.chain import spl
    from webapp.services import platform_wallets

    rpc = market.world.rpc
    with market.app.app_context():
        treasury = platform_wallets.keystore().keypair("treasury")
    left = rpc.get_balance(treasury.pubkey(), "confirmed")
    drain = transfer(TransferParams(from_pubkey=treasury.pubkey(), to_pubkey=Keypair().pubkey(), lamports=left - 5_000))
    rpc.send_and_confirm(spl.sign([drain], treasury, rpc.get_latest_blockhash("confirmed").blockhash))
    _signed_in(auth, holder)
    before = snapshot(market, holder.wallet)
    reply = post(client, auth, f"/tokens/{market.mint}/stake", amount=units(holder.tokens // 2))
    assert reply.status_code == 503
    assert "treasury could not open its accounts" in reply.get_data(as_text=True)
    assert snapshot(market, holder.wallet) == before
