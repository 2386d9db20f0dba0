"""Command-line tools: `flask users …`, `flask wallets …`, `flask payouts …`, `flask tokens …`."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from webapp.chain.keystore import KeystoreError
from webapp.chain.siws import SignInError
from webapp.models import Role
from webapp.services import accounts, platform_wallets

users_cli = AppGroup("users", help="Manage members and their roles.")
wallets_cli = AppGroup("wallets", help="Platform wallets (keys live in the encrypted keystore).")
payouts_cli = AppGroup("payouts", help="The payout engine.")
tokens_cli = AppGroup("tokens", help="Tracked tokens and their chain index.")


@users_cli.command("grant")
@click.argument("role", type=click.Choice([r.value for r in Role]))
@click.argument("wallet")
def grant(role: str, wallet: str) -> None:
    """Give WALLET the ROLE (member, moderator or admin)."""
    try:
        user = accounts.grant_role_to_wallet(wallet, role)
    except (SignInError, accounts.RoleChangeError) as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"{user.wallet} is now {user.role}.")


@wallets_cli.command("create")
@click.argument("name")
@click.option("--purpose", default="", help="What the wallet is for.")
def create_wallet(name: str, purpose: str) -> None:
    """Generate a keypair named NAME into the keystore."""
    try:
        wallet = platform_wallets.create_wallet(name, purpose, ip_address="cli")
    except KeystoreError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"{wallet.name}: {wallet.address}")


@wallets_cli.command("list")
def list_wallets() -> None:
    """Every platform wallet's name and address."""
    for wallet in platform_wallets.all_wallets():
        click.echo(f"{wallet.name}\t{wallet.address}\t{wallet.purpose}")


@payouts_cli.command("run")
@click.option("--wallet", "wallet_name", default=None, help="Platform wallet to pay from (default PAYOUT_WALLET).")
def run_payouts(wallet_name: str | None) -> None:
    """Pay every pending payout now, in this process."""
    from webapp.services.payouts import runs
    from webapp.services.payouts.engine import RunAlreadyActive

    try:
        run = runs.execute_run(wallet_name)
    except (KeystoreError, RunAlreadyActive) as exc:
        raise click.ClickException(str(exc)) from exc
    progress = runs.progress(run)
    click.echo(f"run {run.id} {run.status}: {progress.confirmed} confirmed, {progress.failed} failed, "
               f"{progress.pending} pending" + (f" — {run.halt_reason}" if run.halt_reason else ""))
    if run.status == "halted":
        raise SystemExit(3)


demo_cli = AppGroup("demo", help="Demo data for a development site.")


@demo_cli.command("seed")
def seed_demo() -> None:
    """Platform wallets, and on the local chain a reward token and a paid demo pool."""
    from webapp.services import demo

    demo.seed(click.echo)


@tokens_cli.command("track")
@click.argument("mint")
@click.option("--name", default="", help="Display name (optional).")
@click.option("--symbol", default="", help="Ticker symbol (optional).")
@click.option("--tier", type=click.Choice(["wild_fires", "stable_grounds"]), default=None)
@click.option("--backfill/--no-backfill", default=False,
              help="Index its history now, in this process (else the listener does it).")
def track_token(mint: str, name: str, symbol: str, tier: str | None, backfill: bool) -> None:
    """Track the existing mint MINT on the cluster SOLANA_RPC_URLS points at."""
    from webapp.chain.rpc import SolanaUnavailable
    from webapp.extensions import solana_client
    from webapp.services.indexer import backfill as backfills
    from webapp.services.indexer.tracking import TrackError, track_mint

    try:
        client = solana_client()
        token = track_mint(client, mint, name=name, symbol=symbol, tier=tier, ip_address="cli")
    except (TrackError, SolanaUnavailable, RuntimeError) as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"tracking {token.mint}: {token.decimals} decimals, supply {token.supply} base units ({token.program})")
    if backfill:
        count = backfills.index_now(client, [backfills.FollowedAddress(token.mint, "mint")])
        click.echo(f"indexed {count} transaction(s) of its history")


@tokens_cli.command("list")
def list_tokens() -> None:
    """Every tracked mint with its holders and last price."""
    from webapp.services.indexer import reads

    for token in reads.tracked_tokens():
        summary = reads.market_summary(token.mint)
        price = summary.price.sol_per_token(token.decimals) if summary and summary.price else "—"
        click.echo(f"{token.mint}\t{token.label}\tholders {reads.holder_count(token.mint)}\tprice {price} SOL")
