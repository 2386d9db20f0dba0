"""Demo data for `make run` on the local chain: platform wallets, a reward token, a paid pool."""
from __future__ import annotations

import hashlib

from pathlib import Path

from flask import current_app
from solders.keypair import Keypair
from solders.pubkey import Pubkey

from sqlalchemy import select

from webapp.chain.localnet import spl_actions as spl
from webapp.chain.localnet.simulator import MarketSimulator
from webapp.chain.rpc import SolanaRpcClient
from webapp.extensions import db, solana_client
from webapp.models import Token
from webapp.services import platform_wallets
from webapp.services.indexer.tracking import track_mint
from webapp.services.payouts import runs
from webapp.services.payouts.requests import PayoutRequest, request_payouts
from webapp.services.payouts.splits import largest_remainder_split

LAMPORTS_PER_SOL = 1_000_000_000
REWARD_DECIMALS = 6
REWARD_SUPPLY = 1_000_000_000 * 10**REWARD_DECIMALS
DEMO_POOL = 250_000 * 10**REWARD_DECIMALS
DEMO_MEMBERS = 12
SIMULATOR_WALLETS = 8  # the same as `flask chain simulate`'s defaults
SIMULATOR_TOKENS = 3

WALLETS = {
    "treasury": "Platform reserves",
    "payout_hot": "Pays pools, bounties, earnings and vesting",
    "demo_reward_mint": "Mint address of the demo reward token",
}


def seed(log=print) -> None:  # type: ignore[no-untyped-def]
    """Idempotent: every step checks the chain or the database before acting."""
    wallets = {name: platform_wallets.ensure_wallet(name, purpose) for name, purpose in WALLETS.items()}
    if current_app.config["SOLANA_CLUSTER"] != "localnet":
        log("not a local chain: platform wallets exist, nothing is airdropped or minted")
        return
    client = solana_client()
    for name in ("treasury", "payout_hot"):
        _top_up(client, Pubkey.from_string(wallets[name].address), 50 * LAMPORTS_PER_SOL)
    store = platform_wallets.keystore()
    treasury, mint = store.keypair("treasury"), store.keypair("demo_reward_mint")
    if client.get_account_info(mint.pubkey()) is None:
        _create_reward_token(client, treasury, mint, Pubkey.from_string(wallets["payout_hot"].address))
        log(f"demo reward token {mint.pubkey()} minted to the treasury")
    _queue_demo_pool(str(mint.pubkey()))
    log("demo pool payouts queued")
    _track_demo_tokens(client, str(mint.pubkey()))


def _track_demo_tokens(client: SolanaRpcClient, reward_mint: str) -> None:
    """The simulator's tokens and the reward token, so the index and its pages have activity."""
    simulator = MarketSimulator(client, wallets=SIMULATOR_WALLETS, tokens=SIMULATOR_TOKENS,
                                state_file=Path(current_app.instance_path) / "localnet" / "simulator.json")
    simulator.setup()  # the `simulator` process later loads the same wallets and tokens
    demo = [(reward_mint, "Momentum Rewards", "MOMO")]
    demo += [(str(t.address), f"Demo Token {i + 1}", f"DEMO{i + 1}") for i, t in enumerate(simulator.state.tokens)]
    for mint, name, symbol in demo:
        if db.session.scalar(select(Token.id).where(Token.mint == mint)) is None:
            track_mint(client, mint, name=name, symbol=symbol)


def _top_up(client: SolanaRpcClient, address: Pubkey, lamports: int) -> None:
    if client.get_balance(address) < lamports // 2:
        client.confirm(client.request_airdrop(address, lamports))


def _create_reward_token(client: SolanaRpcClient, treasury: Keypair, mint: Keypair, payout_wallet: Pubkey) -> None:
    rent = client.get_minimum_balance_for_rent_exemption(spl.MINT_SIZE)
    instructions = spl.create_mint(treasury.pubkey(), mint.pubkey(), treasury.pubkey(), REWARD_DECIMALS, rent)
    instructions += spl.mint_to(treasury.pubkey(), mint.pubkey(), treasury.pubkey(), treasury.pubkey(),
                                REWARD_SUPPLY, REWARD_DECIMALS)
    instructions += spl.transfer(treasury.pubkey(), mint.pubkey(), payout_wallet, DEMO_POOL * 4, REWARD_DECIMALS)
    blockhash = client.get_latest_blockhash().blockhash
    client.confirm(client.send_transaction(spl.sign(instructions, treasury, blockhash, [mint])), "finalized", 60)


def demo_member(index: int) -> Pubkey:
    """Stable demo member addresses, so seeding twice pays the same people."""
    return Keypair.from_seed(hashlib.sha256(f"momentum-demo-member-{index}".encode()).digest()).pubkey()


def _queue_demo_pool(mint: str) -> None:
    scores = [(str(demo_member(i)), 100 + 37 * i) for i in range(DEMO_MEMBERS)]
    shares = largest_remainder_split(DEMO_POOL, scores)
    request_payouts(
        [PayoutRequest("payout_hot", wallet, mint, amount, "pool", "demo pool #1", f"demo:pool:1:{wallet}")
         for wallet, amount in shares if amount > 0],
        runs.chain_gateway(),
    )
    runs.enqueue_run("payout_hot")
