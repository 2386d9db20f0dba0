"""Demo members for `make run`: names, bios and follows among them and of the demo tokens (their notifications too)."""
from __future__ import annotations

import re
from collections.abc import Callable

from sqlalchemy import select

from webapp.extensions import db
from webapp.models import Token, User
from webapp.services.community import follows

PEOPLE = [
    ("ana", "Early on Wild Fires. I write about curves, pools and community funds."),
    ("bo.builds", "Building tools for token communities. Ask me about vesting."),
    ("cyra", "Meme maker, challenge enterer, occasional trader."),
    ("dee_trades", "Charts first, opinions second."),
    ("eve.sol", "Moderating with kindness. Read the rules, then have fun."),
    ("finn", "Here for the Stable Grounds."),
]
_PLACEHOLDER = re.compile(r"^demo\d+$")


def seed_people(log: Callable[[str], object] = print) -> None:
    """Idempotent: names only replace the placeholder ones, follows change nothing the second time."""
    from webapp.services.demo import demo_member

    members = []
    for index, (name, bio) in enumerate(PEOPLE):
        wallet = str(demo_member(index))
        member = db.session.scalar(select(User).where(User.wallet == wallet))
        if member is None:
            member = User(wallet=wallet)
            db.session.add(member)
        if member.display_name is None or _PLACEHOLDER.match(member.display_name):
            member.display_name, member.bio = name, bio
        members.append(member)
    db.session.commit()
    mints = list(db.session.scalars(select(Token.mint).order_by(Token.id).limit(3)))
    added = 0
    for index, member in enumerate(members):
        for step in (1, 2):
            added += follows.follow_member(member, members[(index + step) % len(members)].wallet)
        for mint in mints[: 1 + index % len(mints)] if mints else []:
            added += follows.follow_token(member, mint)
    log(f"demo members named, {added} new follows")


def named_demo_people() -> list[User] | None:
    """The demo members in PEOPLE's order, once all of them are named; None before."""
    names = [name for name, _ in PEOPLE]
    by_name = {member.display_name: member for member in
               db.session.scalars(select(User).where(User.display_name.in_(names))).all()}
    people = [by_name[name] for name in names if name in by_name]
    return people if len(people) == len(names) else None


def demo_community_token() -> Token | None:
    """Where the demo community talks: the first token launched here (the demo reward token is tracked first,
    but nobody talks about it), else any tracked token."""
    from webapp.models import LaunchApplication

    return db.session.scalar(select(Token).join(LaunchApplication, LaunchApplication.mint == Token.mint)
                             .order_by(Token.id).limit(1)) or db.session.scalar(select(Token).order_by(Token.id))
