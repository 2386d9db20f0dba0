"""Token launches: applications, admin review, and creating the mint on chain with a fixed supply."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime

from flask import current_app
from solders.keypair import Keypair
from solders.pubkey import Pubkey
from solders.system_program import TransferParams, transfer
from spl.token.constants import TOKEN_PROGRAM_ID
from spl.token.instructions import AuthorityType, set_authority
from spl.token.models import SetAuthorityParams
from sqlalchemy import func, select

from webapp.chain import spl
from webapp.chain.rpc import SolanaRpcClient, SolanaRpcError, SolanaUnavailable
from webapp.extensions import db
from webapp.models import LaunchApplication, LaunchStatus, Token, User
from webapp.money import sol_text
from webapp.services import audit, platform_wallets, token_images
from webapp.services.member_transactions import leaves_wallet_usable
from webapp.services.payouts.splits import largest_remainder_split

DECIMALS = 6
TOTAL_SUPPLY = 1_000_000_000 * 10**DECIMALS  # the best-known launchpad's supply, in base units
SYMBOL = re.compile(r"^[A-Z0-9]{2,10}$")
LINK_KINDS = ("x", "website", "telegram", "discord")
ESCROW_FEE_FLOAT = 50_000_000  # 0.05 SOL: fees and team token accounts for the releases
TOKEN_ACCOUNT_RENT = 2_039_280  # each associated token account the creating transaction opens
LAUNCH_FEES_LAMPORTS = 30_000  # the two launch transactions' signature fees, with room to spare
# Applications that still hold their name and symbol: a failed one may be approved again.
OPEN_STATUSES = (LaunchStatus.PENDING.value, LaunchStatus.APPROVED.value, LaunchStatus.LAUNCHED.value,
                 LaunchStatus.FAILED.value)
MAX_PENDING_APPLICATIONS = 3  # per member, so one member cannot flood the admins' review queue
SUBMIT_LOCK = 0x4C41554E  # pg advisory lock key ("LAUN"): submissions check, then insert, one at a time


class LaunchError(ValueError):
    """An application or review that cannot go ahead; the message says why."""


@dataclass
class LaunchDraft:
    name: str
    symbol: str
    tier: str
    description: str = ""
    image_url: str = ""
    image: token_images.PreparedImage | None = None  # checked and re-encoded already
    links: dict[str, str] = field(default_factory=dict)
    team_allocation_bps: int = 0
    team_wallets: list[tuple[str, int]] = field(default_factory=list)
    cliff_days: int = 0
    vesting_days: int = 0
    unlock_period_days: int = 0


def validate(draft: LaunchDraft) -> list[str]:
    """Every problem with a draft, in words a member understands (empty when it is fine)."""
    problems = []
    if not 2 <= len(draft.name.strip()) <= 64:
        problems.append("The name needs 2 to 64 characters.")
    elif name_taken(draft.name):
        problems.append(f"A token named {draft.name.strip()} already exists or is waiting for review; "
                        "choose another name.")
    if not SYMBOL.match(draft.symbol):
        problems.append("The symbol is 2 to 10 capital letters or digits.")
    elif symbol_taken(draft.symbol):
        problems.append(f"The symbol {draft.symbol} is already taken.")
    if draft.tier not in ("wild_fires", "stable_grounds"):
        problems.append("Choose a tier: Wild Fires or Stable Grounds.")
    for kind, url in draft.links.items():
        if url and not re.match(r"^https://[^\s<>\"]+$", url):
            problems.append(f"The {kind} link must start with https://.")
    if draft.image_url and not re.match(r"^https://[^\s<>\"]+$", draft.image_url):
        problems.append("The image must be an https:// address.")
    if draft.tier == "stable_grounds":
        problems += _vesting_problems(draft)
    return problems


def _vesting_problems(draft: LaunchDraft) -> list[str]:
    problems = []
    if not 100 <= draft.team_allocation_bps <= 5000:
        problems.append("Stable Grounds tokens reserve 1% to 50% of the supply for the team.")
    if not 1 <= len(draft.team_wallets) <= 10:
        problems.append("Name 1 to 10 team wallets.")
    seen: set[str] = set()
    for wallet, weight in draft.team_wallets:
        try:
            Pubkey.from_string(wallet)
        except ValueError:
            problems.append(f"{wallet!r} is not a Solana address.")
        if wallet in seen:
            problems.append(f"The team wallet {wallet} is listed twice; name each wallet once with its whole share.")
        seen.add(wallet)
        if weight <= 0:
            problems.append("Every team wallet's share must be above zero.")
    total = sum(weight for _, weight in draft.team_wallets)
    if draft.team_wallets and total != 100:
        problems.append(f"The team wallets' shares are percentages of the team allocation and must add up to "
                        f"exactly 100%; these add up to {total}%.")
    if draft.vesting_days <= 0:
        problems.append("The vesting duration must be at least a day.")
    if not 0 <= draft.cliff_days <= draft.vesting_days:
        problems.append("The cliff must be between zero and the vesting duration.")
    if not 0 < draft.unlock_period_days <= max(draft.vesting_days, 1):
        problems.append("The unlock period must be at least a day and no longer than the vesting duration.")
    return problems


def symbol_taken(symbol: str) -> bool:
    """Whether a tracked token or an open application already uses `symbol` (any case)."""
    symbol = symbol.upper()
    token = db.session.scalar(select(Token.id).where(func.upper(Token.symbol) == symbol))
    open_application = db.session.scalar(select(LaunchApplication.id).where(
        func.upper(LaunchApplication.symbol) == symbol, LaunchApplication.status.in_(OPEN_STATUSES)))
    return token is not None or open_application is not None


def name_taken(name: str) -> bool:
    """Whether a tracked token or an open application already uses `name` (any case)."""
    name = name.strip().lower()
    token = db.session.scalar(select(Token.id).where(func.lower(func.trim(Token.name)) == name))
    open_application = db.session.scalar(select(LaunchApplication.id).where(
        func.lower(func.trim(LaunchApplication.name)) == name, LaunchApplication.status.in_(OPEN_STATUSES)))
    return token is not None or open_application is not None


def pending_count(applicant: User) -> int:
    return db.session.scalar(select(func.count()).select_from(LaunchApplication).where(
        LaunchApplication.applicant_id == applicant.id,
        LaunchApplication.status == LaunchStatus.PENDING.value)) or 0


def submit(applicant: User, draft: LaunchDraft) -> LaunchApplication:
    """Record a member's application once every rule holds; nothing is written otherwise."""
    # Held until the commit below: two submissions at once cannot both pass the name,
    # symbol and pending-limit checks and then both insert.
    db.session.execute(select(func.pg_advisory_xact_lock(SUBMIT_LOCK)))
    problems = validate(draft)
    if pending_count(applicant) >= MAX_PENDING_APPLICATIONS:
        problems.append(f"You already have {MAX_PENDING_APPLICATIONS} applications waiting for review, the most a "
                        "member may have; send another once an admin has decided on one of them.")
    if problems:
        db.session.rollback()  # releases the lock
        raise LaunchError(" ".join(problems))
    application = LaunchApplication(
        applicant_id=applicant.id, name=draft.name.strip(), symbol=draft.symbol, tier=draft.tier,
        description=draft.description.strip(), image_url=draft.image_url.strip(),
        links={k: v for k, v in draft.links.items() if v}, team_allocation_bps=draft.team_allocation_bps,
        team_wallets=[[w, weight] for w, weight in draft.team_wallets], cliff_days=draft.cliff_days,
        vesting_days=draft.vesting_days, unlock_period_days=draft.unlock_period_days,
        image_digest=token_images.store(draft.image) if draft.image else None,
    )
    db.session.add(application)
    db.session.commit()  # the picture and the application land together, or neither does
    return application


def review(admin: User | None, application: LaunchApplication, *, approve: bool, reason: str = "",
           ip_address: str | None = None, client: SolanaRpcClient | None = None) -> LaunchApplication:
    """Approve (the launch job then runs) or reject with a reason the applicant sees; audited.

    `admin` None is the platform itself (the demo seed). Approving a Stable
    Grounds application needs `client`: its pool is funded at launch, so the
    approval is refused while the paying wallets cannot fund it.
    """
    allowed = (LaunchStatus.PENDING.value, LaunchStatus.FAILED.value)
    if application.status not in allowed:
        raise LaunchError(f"This application is {application.status}; only pending or failed ones can be reviewed.")
    if not approve and not reason.strip():
        raise LaunchError("Tell the applicant why: a rejection needs a reason.")
    if approve and application.tier == "stable_grounds":
        if client is None:
            raise LaunchError("Approving a Stable Grounds launch needs the chain, to check its pool can be funded.")
        check_funding(application, client)
    application.status = (LaunchStatus.APPROVED if approve else LaunchStatus.REJECTED).value
    application.reject_reason = None if approve else reason.strip()[:1000]
    application.reviewed_by_id, application.reviewed_at = admin.id if admin else None, datetime.now(UTC)
    audit.record(admin, "launch.approved" if approve else "launch.rejected", target_type="launch",
                 target_id=application.id, details={"symbol": application.symbol, "reason": reason.strip()[:200]},
                 ip_address=ip_address)
    db.session.commit()
    return application


def allocations(application: LaunchApplication) -> dict[str, int]:
    """Where the whole supply goes, by platform wallet name; the parts sum to the supply exactly.

    Stable Grounds: the team's share to its vesting escrow, the public rest to the
    token's pool, which opens at launch against `pool_seed_lamports()` SOL.
    """
    if application.tier == "wild_fires":
        return {f"curve_{application.id}": TOTAL_SUPPLY}
    team = TOTAL_SUPPLY * application.team_allocation_bps // 10_000
    return {f"escrow_{application.id}": team, pool_wallet(application): TOTAL_SUPPLY - team}


def pool_wallet(application: LaunchApplication) -> str:
    return f"pool_{application.id}"


@dataclass(frozen=True)
class PoolSeed:
    """What a Stable Grounds pool opens with besides its public supply: SOL, and the wallet paying it."""

    lamports: int
    wallet: str


def pool_seed() -> PoolSeed:
    return PoolSeed(int(current_app.config["STABLE_POOL_SEED_LAMPORTS"]),
                    str(current_app.config["STABLE_POOL_SEED_WALLET"]))


def pool_seed_lamports() -> int:
    return pool_seed().lamports


def pool_seed_wallet() -> str:
    return pool_seed().wallet


def launch_costs(application: LaunchApplication, client: SolanaRpcClient) -> dict[str, int]:
    """Lamports each paying platform wallet spends on the launch (the pool's SOL by its seeding wallet)."""
    accounts = len(allocations(application))
    costs = {"treasury": client.get_minimum_balance_for_rent_exemption(spl.MINT_SIZE)
             + accounts * TOKEN_ACCOUNT_RENT + LAUNCH_FEES_LAMPORTS}
    if application.tier == "stable_grounds":
        costs["treasury"] += ESCROW_FEE_FLOAT
        seeder = pool_seed_wallet()
        costs[seeder] = costs.get(seeder, 0) + pool_seed_lamports()
    return costs


def check_funding(application: LaunchApplication, client: SolanaRpcClient) -> None:
    """Refuse (LaunchError) unless every paying wallet can pay its part of the launch and stay rent-exempt."""
    if application.created_signature:
        return  # the mint and its pool exist already: a retry only finishes the later steps
    if application.tier == "stable_grounds" and pool_seed_lamports() <= 0:
        raise LaunchError("STABLE_POOL_SEED_LAMPORTS must be above zero: a Stable Grounds pool needs SOL to open.")
    try:
        costs = launch_costs(application, client)
        balances = {name: client.get_balance(platform_wallets.ensure_wallet(name).address, "confirmed")
                    for name in costs}
    except (SolanaRpcError, SolanaUnavailable) as error:
        raise LaunchError("The Solana network cannot be reached to check the launch can be funded; nothing was "
                          "approved. Try again shortly.") from error
    for name, needed in costs.items():
        if leaves_wallet_usable(balances[name], needed):
            continue
        pool_part = pool_seed_lamports() if name == pool_seed_wallet() and application.tier == "stable_grounds" else 0
        what = (f"{sol_text(pool_part)} SOL to open the {application.symbol} pool and "
                f"{sol_text(needed - pool_part)} SOL for the mint, its token accounts and fees" if pool_part
                else f"{sol_text(needed)} SOL for the mint, its token accounts and fees")
        raise LaunchError(f"The {name.replace('_', ' ')} wallet holds {sol_text(balances[name])} SOL; launching "
                          f"{application.symbol} needs {what}, and the wallet must keep a little SOL for its rent. "
                          "Fund it and approve again: nothing has been created on chain.")


def team_split(application: LaunchApplication) -> list[tuple[str, int]]:
    team = allocations(application).get(f"escrow_{application.id}", 0)
    return largest_remainder_split(team, [(str(w), int(weight)) for w, weight in application.team_wallets])


def launch(application: LaunchApplication, client: SolanaRpcClient) -> LaunchApplication:
    """Create the mint, mint the whole supply to its wallets, then revoke the mint authority.

    Safe to run again after a failure: the mint keypair is kept in the keystore
    under the application's id, and each finished step is skipped.
    """
    platform_wallets.ensure_wallet("treasury", "Platform reserves")
    platform_wallets.ensure_wallet("mint_authority", "Creates launched mints")
    platform_wallets.ensure_wallet(f"mint_{application.id}", f"Mint address of {application.symbol}")
    store = platform_wallets.keystore()  # read after the wallets above exist
    payer, authority = store.keypair("treasury"), store.keypair("mint_authority")
    mint = store.keypair(f"mint_{application.id}")
    application.mint = str(mint.pubkey())
    if client.get_account_info(mint.pubkey()) is None:
        check_funding(application, client)  # the wallets may have paid for something else since approval
        application.created_signature = _create_and_mint(application, client, payer, authority, mint)
        db.session.commit()
    if not application.supply_fixed_signature:
        application.supply_fixed_signature = _revoke_mint_authority(client, payer, authority, mint.pubkey())
        db.session.commit()
    from webapp.services.indexer.tracking import track_mint

    if db.session.scalar(select(Token.id).where(Token.mint == application.mint)) is None:
        token = track_mint(client, application.mint, name=application.name, symbol=application.symbol,
                           tier=application.tier, symbol_reserved=True)
        token.image_digest = application.image_digest
    if application.tier == "wild_fires":
        from webapp.services.trading.markets import open_curve

        open_curve(client, application.mint, application.id, application.symbol)
    else:
        from webapp.services.trading.markets import open_launch_pool

        open_launch_pool(client, application.mint, application.id, application.symbol,
                         application.created_signature or "")
    application.status, application.launched_at = LaunchStatus.LAUNCHED.value, datetime.now(UTC)
    application.failure = None
    db.session.commit()
    return application


def _create_and_mint(application: LaunchApplication, client: SolanaRpcClient, payer: Keypair, authority: Keypair,
                     mint: Keypair) -> str:
    """One transaction: the mint, its whole supply, and for Stable Grounds the escrow's float and the pool's SOL,
    so a launch that fails leaves no mint, no supply and no half-funded pool."""
    rent = client.get_minimum_balance_for_rent_exemption(spl.MINT_SIZE)
    instructions = spl.create_mint(payer.pubkey(), mint.pubkey(), authority.pubkey(), DECIMALS, rent)
    signers = [authority, mint]
    for wallet_name, amount in allocations(application).items():
        owner = Pubkey.from_string(platform_wallets.ensure_wallet(wallet_name, _purpose(wallet_name, application))
                                   .address)
        instructions += spl.mint_to(payer.pubkey(), mint.pubkey(), authority.pubkey(), owner, amount, DECIMALS)
        if wallet_name.startswith("escrow_"):
            # the escrow pays its own release fees and team token accounts
            instructions.append(transfer(TransferParams(from_pubkey=payer.pubkey(), to_pubkey=owner,
                                                        lamports=ESCROW_FEE_FLOAT)))
        if wallet_name == pool_wallet(application):
            seeder = platform_wallets.keystore().keypair(pool_seed_wallet())
            instructions.append(transfer(TransferParams(from_pubkey=seeder.pubkey(), to_pubkey=owner,
                                                        lamports=pool_seed_lamports())))
            if seeder.pubkey() != payer.pubkey():
                signers.append(seeder)
    transaction = spl.sign(instructions, payer, client.get_latest_blockhash().blockhash, signers)
    signature = client.send_transaction(transaction)
    client.confirm(signature, "confirmed", timeout=60)
    return str(signature)


def _purpose(wallet_name: str, application: LaunchApplication) -> str:
    if wallet_name == pool_wallet(application):
        return f"{application.symbol} liquidity pool"
    return f"{application.symbol} supply"


def _revoke_mint_authority(client: SolanaRpcClient, payer: Keypair, authority: Keypair, mint: Pubkey) -> str:
    instruction = set_authority(SetAuthorityParams(
        program_id=TOKEN_PROGRAM_ID, account=mint, authority=AuthorityType.MINT_TOKENS,
        current_authority=authority.pubkey(), new_authority=None))
    transaction = spl.sign([instruction], payer, client.get_latest_blockhash().blockhash, [authority])
    signature = client.send_transaction(transaction)
    client.confirm(signature, "confirmed", timeout=60)
    return str(signature)
