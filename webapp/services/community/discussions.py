"""Discussions on a token: starting one, listing them (hot / new / top this week), finding one.

A discussion's text is its opening post (depth 0, path = its own zero-padded
id); comments hang under it (see posting and comment_tree). Lists page by
keyset: the cursor is the last row's sort value and id, so "show more" never
repeats or skips a discussion while new ones arrive.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Select, and_, func, or_, select, text
from sqlalchemy.orm import InstrumentedAttribute

from webapp.extensions import db
from webapp.models import Discussion, Post, Token, User, path_segment
from webapp.services.community import drafts, mentions, posting, trending
from webapp.services.community.errors import CommunityError, InvalidText

TITLE_MIN, TITLE_MAX = 3, 150
BODY_MIN, BODY_MAX = 1, 20_000
PAGE_SIZE = 20
LIMITS = {"title_min": TITLE_MIN, "title_max": TITLE_MAX, "body_min": BODY_MIN, "body_max": BODY_MAX}
SORTS = {"hot": "Hot", "new": "New", "top": "Top this week"}
SLUG_MAX = 60


@dataclass(frozen=True)
class DiscussionList:
    token: Token
    sort: str
    discussions: tuple[Discussion, ...]
    next_cursor: str | None


def slugify(title: str) -> str:
    """The title in lower-case ASCII words joined by hyphens (may be empty: the id alone finds the page)."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    words = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")
    return words[:SLUG_MAX].rstrip("-")


def token_of(mint: str) -> Token:
    token = db.session.scalar(select(Token).where(Token.mint == mint))
    if token is None:
        raise CommunityError("Momentum does not track this mint.", 404)
    return token


def find(mint: str, discussion_id: int) -> Discussion:
    """The discussion with this id on this token's page; 404 for any other."""
    discussion = db.session.scalar(select(Discussion).join(Token).where(
        Discussion.id == discussion_id, Token.mint == mint))
    if discussion is None:
        raise CommunityError("There is no such discussion on this token.", 404)
    return discussion


def opening_post(discussion: Discussion) -> Post:
    return db.session.scalars(select(Post).where(Post.discussion_id == discussion.id, Post.depth == 0)).one()


def check_title(title: str) -> str:
    title = " ".join(title.split())
    if not TITLE_MIN <= len(title) <= TITLE_MAX:
        raise InvalidText(f"A title is {TITLE_MIN} to {TITLE_MAX} characters; this one has {len(title)}.")
    return title


def check_body(body: str) -> str:
    body = body.strip()
    if not BODY_MIN <= len(body) <= BODY_MAX:
        raise InvalidText(f"Write {BODY_MIN} to {BODY_MAX:,} characters; this has {len(body):,}.")
    return body


def start(user: User | None, mint: str, title: str, body: str) -> Discussion:
    """A new discussion with its opening post, ranked at once; the author's draft for it is cleared. Commits."""
    author = posting.participant(user)
    token = token_of(mint)
    title, body = check_title(title), check_body(body)
    rendered = mentions.render(body)
    now = datetime.now(UTC)
    discussion = Discussion(token_id=token.id, author_id=author.id, title=title, slug=slugify(title),
                            created_at=now, last_activity_at=now)
    db.session.add(discussion)
    db.session.flush()
    post_id = posting.next_post_id()
    opening = Post(id=post_id, discussion_id=discussion.id, author_id=author.id, path=path_segment(post_id), depth=0,
                   body=body, body_html=rendered.html, created_at=now)
    db.session.add(opening)
    db.session.flush()
    trending.rank_one(discussion.id)
    drafts.clear(author.id, drafts.discussion_key(mint))
    posting.notify_mentions(author, rendered.mentioned, opening, discussion)
    db.session.commit()
    return discussion


def listing(mint: str, sort: str = "hot", cursor: str | None = None, limit: int = PAGE_SIZE) -> DiscussionList:
    """One page of the token's discussions in `sort` order after `cursor` (from the previous page)."""
    token = token_of(mint)
    if sort not in SORTS:
        raise CommunityError(f"Sort by one of: {', '.join(SORTS)}.", 400)
    query = select(Discussion).where(Discussion.token_id == token.id)
    query = _after(query, sort, cursor)
    rows = tuple(db.session.scalars(query.limit(limit + 1)).all())
    more = len(rows) > limit
    rows = rows[:limit]
    return DiscussionList(token, sort, rows, _cursor(sort, rows[-1]) if more and rows else None)


def hottest(token_id: int, limit: int = 5) -> tuple[Discussion, ...]:
    """The token's hottest discussions, for its page's community panel."""
    return tuple(db.session.scalars(select(Discussion).where(Discussion.token_id == token_id)
                                    .order_by(Discussion.hot_rank.desc(), Discussion.id.desc()).limit(limit)).all())


def _sort_value(sort: str) -> InstrumentedAttribute[Any]:
    columns: dict[str, InstrumentedAttribute[Any]] = {
        "hot": Discussion.hot_rank, "new": Discussion.created_at, "top": Discussion.score}
    return columns[sort]


def _after(query: Select[Discussion], sort: str, cursor: str | None) -> Select[Discussion]:
    column = _sort_value(sort)
    if sort == "top":
        query = query.where(Discussion.created_at > func.now() - text("interval '7 days'"))
    query = query.order_by(column.desc(), Discussion.id.desc())
    if not cursor:
        return query
    value_text, _, id_text = cursor.rpartition("_")
    try:
        last_id = int(id_text)
        value: object = (datetime.fromisoformat(value_text) if sort == "new"
                         else float(value_text) if sort == "hot" else int(value_text))
    except ValueError as error:
        raise CommunityError("That page link is damaged: start from the first page.", 400) from error
    return query.where(or_(column < value, and_(column == value, Discussion.id < last_id)))


def _cursor(sort: str, last: Discussion) -> str:
    value = {"hot": repr(last.hot_rank), "new": last.created_at.isoformat(), "top": str(last.score)}[sort]
    return f"{value}_{last.id}"

