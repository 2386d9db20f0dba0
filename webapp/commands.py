"""Command-line tools: `flask users …`."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from webapp.chain.siws import SignInError
from webapp.models import Role
from webapp.services import accounts

users_cli = AppGroup("users", help="Manage members and their roles.")


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
