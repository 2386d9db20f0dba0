"""Demo data for `make run` on the local chain: platform wallets, a reward token, a paid pool."""
from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

from flask import current_app
from solders.keypair import Keypair
from solders.pubkey import Pubkey
from sqlalchemy import select

from webapp.chain import spl
from webapp.chain.localnet.simulator import MarketSimulator
from webapp.chain.rpc import SolanaRpcClient
from webapp.extensions import db, solana_client
from webapp.models import BondingCurve, LaunchApplication, Token, TradeOrder, User
from webapp.services import launches, platform_wallets
from webapp.services.indexer.tracking import track_mint
from webapp.services.launches import LaunchDraft
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


def seed(log: Callable[[str], object] = print) -> None:
    """Idempotent: every step checks the chain or the database before acting."""
    wallets = {name: platform_wallets.ensure_wallet(name, purpose) for name, purpose in WALLETS.items()}
    if current_app.config["SOLANA_CLUSTER"] != "localnet":
        log("not a local chain: platform wallets exist, nothing is airdropped or minted")
        return
    client = solana_client()
    for name in ("treasury", "payout_hot"):
        top_up(client, Pubkey.from_string(wallets[name].address), 50 * LAMPORTS_PER_SOL)
    store = platform_wallets.keystore()
    treasury, mint = store.keypair("treasury"), store.keypair("demo_reward_mint")
    if client.get_account_info(mint.pubkey()) is None:
        _create_reward_token(client, treasury, mint, Pubkey.from_string(wallets["payout_hot"].address))
        log(f"demo reward token {mint.pubkey()} minted to the treasury")
    _queue_demo_pool(str(mint.pubkey()))
    log("demo pool payouts queued")
    _track_demo_tokens(client, str(mint.pubkey()))
    for draft in DEMO_LAUNCHES:
        if _launch_demo_token(client, draft):
            log(f"demo token {draft.symbol} launched")
    _trade_demo_curves(client, log)
    _trade_demo_pools(client, log)
    from webapp.services.staking.demo_stakers import stake_demo_holdings

    stake_demo_holdings(client, log)
    from webapp.services.community.demo_challenges import seed_challenges
    from webapp.services.community.demo_discussions import seed_discussions
    from webapp.services.community.demo_people import seed_people

    seed_people(log)
    seed_discussions(log)
    seed_challenges(log)


def _trade_demo_curves(client: SolanaRpcClient, log: Callable[[str], object]) -> None:
    """Some trading on every demo curve, and one curve bought out so it graduates into its pool."""
    import random

    from webapp.services.trading import demo_trader, graduation
    from webapp.services.trading.markets import open_curve

    launched = db.session.scalars(select(LaunchApplication).where(
        LaunchApplication.tier == "wild_fires", LaunchApplication.mint.is_not(None))).all()
    for application in launched:
        curve = open_curve(client, str(application.mint), application.id, application.symbol)
        if int(curve.tokens_sold) == 0 and curve.phase == "curve":
            rng = random.Random(application.id)
            for index in range(demo_trader.TRADERS):
                demo_trader.trade(client, curve.mint, index, "buy", rng.randint(10, 150) * LAMPORTS_PER_SOL // 100)
            log(f"demo trades on the {application.symbol} curve")
    graduate = next((a for a in launched if a.symbol == GRADUATED_DEMO), None)
    if graduate is not None and demo_trader.buy_out(client, str(graduate.mint)):
        graduation.graduate(str(graduate.mint), client)
        log(f"demo token {graduate.symbol} bought out its curve and graduated into a pool")


def _trade_demo_pools(client: SolanaRpcClient, log: Callable[[str], object]) -> None:
    """A few buys and a sell in every demo Stable Grounds pool that has not traded yet."""
    import random

    from webapp.services.trading import demo_trader

    launched = db.session.scalars(select(LaunchApplication).where(
        LaunchApplication.tier == "stable_grounds", LaunchApplication.mint.is_not(None))).all()
    for application in launched:
        mint = str(application.mint)
        traded = db.session.scalar(select(TradeOrder.id).where(TradeOrder.mint == mint).limit(1))
        if traded is not None or db.session.scalar(select(BondingCurve.id).where(BondingCurve.mint == mint)) is None:
            continue
        rng = random.Random(application.id)
        bought = [demo_trader.trade(client, mint, index, "buy", rng.randint(5, 40) * LAMPORTS_PER_SOL // 100)
                  for index in range(DEMO_POOL_TRADERS)]
        first = bought[0]
        if first is not None:
            demo_trader.trade(client, mint, 0, "sell", int(first.token_amount) // 3)
        log(f"demo trades in the {application.symbol} pool")


DEMO_POOL_TRADERS = 4
GRADUATED_DEMO = "EMBR"
DEMO_LAUNCHES = [
    LaunchDraft("Solar Flare", "SFLR", "wild_fires", "A meme for the sunniest corner of Solana."),
    LaunchDraft("Moon Puppy", "MPUP", "wild_fires", "Every dog has its day; this one has a bonding curve."),
    LaunchDraft("Ember Frogs", "EMBR", "wild_fires", "Frogs that glow. Community art every week."),
    LaunchDraft("Garden Guild", "GRDN", "stable_grounds", "Growers funding community gardens.",
                team_allocation_bps=1500, cliff_days=90, vesting_days=365, unlock_period_days=30),
    LaunchDraft("Builders Union", "BLDR", "stable_grounds", "Open-source tools for token communities.",
                team_allocation_bps=1000, cliff_days=30, vesting_days=720, unlock_period_days=30),
    LaunchDraft("Harbor Coin", "HRBR", "stable_grounds", "A harbour town's local rewards.",
                team_allocation_bps=500, cliff_days=0, vesting_days=180, unlock_period_days=7),
]


def _launch_demo_token(client: SolanaRpcClient, draft: LaunchDraft) -> bool:
    """Apply, approve (as the platform) and launch one demo token, unless it exists already."""
    if db.session.scalar(select(LaunchApplication.id).where(LaunchApplication.symbol == draft.symbol)):
        return False
    applicant = _demo_user(0)
    if draft.tier == "stable_grounds":
        draft.team_wallets = [(str(demo_member(1)), 60), (str(demo_member(2)), 40)]
    application = launches.submit(applicant, draft)
    launches.review(None, application, approve=True, client=client)
    launches.launch(application, client)
    return True


def _demo_user(index: int) -> User:
    """A demo member (role member only: its key is derivable from a public seed)."""
    wallet = str(demo_member(index))
    user = db.session.scalar(select(User).where(User.wallet == wallet))
    if user is None:
        user = User(wallet=wallet, display_name=f"demo{index}")
        db.session.add(user)
        db.session.commit()
    return user


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


def top_up(client: SolanaRpcClient, address: Pubkey, lamports: int) -> None:
    """Airdrop `lamports` (local chain) to an address holding less than half of that."""
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


def demo_keypair(index: int) -> Keypair:
    """Stable demo member keys derived from a public seed: for the local chain only."""
    return Keypair.from_seed(hashlib.sha256(f"momentum-demo-member-{index}".encode()).digest())


def demo_member(index: int) -> Pubkey:
    """Stable demo member addresses, so seeding twice pays the same people."""
    return demo_keypair(index).pubkey()


def _queue_demo_pool(mint: str) -> None:
    scores = [(str(demo_member(i)), 100 + 37 * i) for i in range(DEMO_MEMBERS)]
    shares = largest_remainder_split(DEMO_POOL, scores)
    request_payouts(
        [PayoutRequest("payout_hot", wallet, mint, amount, "pool", "demo pool #1", f"demo:pool:1:{wallet}")
         for wallet, amount in shares if amount > 0],
        runs.chain_gateway(),
    )
    runs.enqueue_run("payout_hot")
