"""Badges beside authors' names in a token's discussions: how much of the token they hold, and their roles.

The tier comes from the indexer's balances of this token, read when the page
renders, in one query for every author on the page: a whale holds at least
1% of the supply, a holder any of it. Labels say who speaks with authority:
the token's team (its launch applicant and team wallets), moderators, admins.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import func, select

from webapp.extensions import db
from webapp.models import HolderAccount, LaunchApplication, Role, Token, User

WHALE_SHARE_BPS = 100  # 1% of supply


@dataclass(frozen=True)
class AuthorBadge:
    tier: str | None  # "whale", "holder" or None
    labels: tuple[str, ...]  # "team", "moderator", "admin"


def for_authors(token: Token, authors: Iterable[User]) -> dict[int, AuthorBadge]:
    """Each author's badge for this token, by user id."""
    people = {author.id: author for author in authors}
    if not people:
        return {}
    wallets = [author.wallet for author in people.values()]
    held = dict(db.session.execute(
        select(HolderAccount.owner, func.sum(HolderAccount.amount))
        .where(HolderAccount.mint == token.mint, HolderAccount.owner.in_(wallets))
        .group_by(HolderAccount.owner)).all())
    launch = db.session.scalar(select(LaunchApplication).where(LaunchApplication.mint == token.mint))
    team_wallets = {str(wallet) for wallet, _ in (launch.team_wallets if launch else [])}
    badges = {}
    for user_id, author in people.items():
        amount = int(held.get(author.wallet) or 0)
        tier = ("whale" if token.supply and amount * 10_000 >= int(token.supply) * WHALE_SHARE_BPS
                else "holder" if amount > 0 else None)
        labels = []
        if (launch is not None and launch.applicant_id == user_id) or author.wallet in team_wallets:
            labels.append("team")
        if author.role in (Role.MODERATOR.value, Role.ADMIN.value):
            labels.append(author.role)
        badges[user_id] = AuthorBadge(tier, tuple(labels))
    return badges
