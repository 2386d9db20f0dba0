"""@mentions: which members a text names (display names case-insensitively, or wallets)."""
from __future__ import annotations

from sqlalchemy import func, or_, select

from webapp.extensions import db
from webapp.models import User
from webapp.services.community import markdown

MAX_MENTIONS = 20  # names looked up per post; the rest stay plain text


def members_named(source: str) -> dict[str, markdown.Member]:
    """The members `source` mentions, keyed as markdown.render looks them up (lower-case name, or wallet)."""
    names = sorted(markdown.mentioned_names(source))[:MAX_MENTIONS]
    if not names:
        return {}
    lowered = [name.lower() for name in names]
    rows = db.session.execute(select(User.id, User.wallet, User.display_name).where(or_(
        User.wallet.in_(names), func.lower(User.display_name).in_(lowered)))).all()
    found: dict[str, markdown.Member] = {}
    for user_id, wallet, display_name in rows:
        member = markdown.Member(user_id, wallet)
        found[wallet] = member
        if display_name:
            found[display_name.lower()] = member
    return found


def render(source: str) -> markdown.RenderedText:
    """`source` as sanitised HTML with its mentions of existing members linked."""
    return markdown.render(source, members_named(source))
