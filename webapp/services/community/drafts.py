"""Drafts: unsent text kept for its author, one per place ("discussion:<mint>" or "reply:<post id>")."""
from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert

from webapp.extensions import db
from webapp.models import Draft
from webapp.services.community.errors import CommunityError

TITLE_MAX = 200
BODY_MAX = 20_000


def discussion_key(mint: str) -> str:
    return f"discussion:{mint}"


def reply_key(post_id: int) -> str:
    return f"reply:{post_id}"


def valid_key(key: str) -> bool:
    kind, _, rest = key.partition(":")
    return len(key) <= 80 and ((kind == "discussion" and 32 <= len(rest) <= 44 and rest.isalnum())
                               or (kind == "reply" and rest.isdigit()))


def save(user_id: int, key: str, title: str, body: str) -> None:
    """Keep (or replace) the member's draft for `key`; an empty one is removed. Commits."""
    if not valid_key(key):
        raise CommunityError("A draft belongs to a new discussion or a reply.", 400)
    if len(title) > TITLE_MAX or len(body) > BODY_MAX:
        raise CommunityError(f"A draft keeps up to {BODY_MAX:,} characters.", 413)
    if not title.strip() and not body.strip():
        clear(user_id, key)
    else:
        statement = insert(Draft).values(user_id=user_id, key=key, title=title, body=body,
                                         updated_at=datetime.now(UTC))
        db.session.execute(statement.on_conflict_do_update(
            constraint="one_draft_per_place",
            set_={"title": statement.excluded.title, "body": statement.excluded.body,
                  "updated_at": statement.excluded.updated_at}))
    db.session.commit()


def load(user_id: int | None, key: str) -> Draft | None:
    if user_id is None:
        return None
    return db.session.scalar(select(Draft).where(Draft.user_id == user_id, Draft.key == key))


def clear(user_id: int, key: str) -> None:
    """Forget the draft (in the caller's transaction: it goes when the post is written)."""
    db.session.execute(delete(Draft).where(Draft.user_id == user_id, Draft.key == key))
