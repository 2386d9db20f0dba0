"""The read model of `/feed`: what a member follows, newest first, from four sources in one keyset order.

Sources: new discussions in followed tokens and by followed members, comments
on the member's threads (in discussions they started, or replies to their
posts), trades of followed tokens (from the indexer), and the reviews of the
member's challenge entries. Every item sorts by (moment, kind, id) descending;
each source reads at most a page past the cursor with that same order, and the
merge keeps the first page's worth, so pages have no gaps and no repeats.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import url_for
from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.orm import aliased

from webapp.extensions import db
from webapp.models import (
    Challenge,
    ChallengeEntry,
    Discussion,
    EntryStatus,
    Post,
    PostState,
    Token,
    TokenTrade,
    User,
)
from webapp.money import sol_text, token_text
from webapp.services.community import cursors
from webapp.services.community.challenges import challenge_path
from webapp.services.community.discussion_live import discussion_ref, post_url
from webapp.services.community.follows import followed_ids

PAGE_SIZE = 25
EXCERPT_CHARS = 180
# the kinds, in the order ties on the same moment are broken (descending)
DISCUSSION, COMMENT, TRADE, CHALLENGE = "discussion", "comment", "trade", "challenge"


@dataclass(frozen=True)
class FeedItem:
    kind: str
    at: datetime
    id: int
    headline: str  # "Ana started a discussion in MOMO"
    title: str | None  # a discussion's title
    excerpt: str | None  # plain text; the template escapes it
    url: str
    signature: str | None = None  # a trade's transaction

    @property
    def cursor(self) -> cursors.Cursor:
        return cursors.Cursor(self.at, self.kind, self.id)


@dataclass(frozen=True)
class FeedPage:
    items: list[FeedItem]
    next_cursor: str | None
    follows_anything: bool
    first_page: bool


def discussion_url(discussion: Discussion) -> str:
    return url_for("discussions.show", mint=discussion.token.mint, ref=discussion_ref(discussion))


def excerpt(markdown: str, limit: int = EXCERPT_CHARS) -> str:
    """The first words of a post as plain text (the Markdown marks dropped)."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", markdown)  # a link or image: its text
    text = re.sub(r"[`*>#~|]+|^\s*[-+]\s", " ", text, flags=re.MULTILINE)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + "…"


def after(column: Any, id_column: Any, kind: str, cursor: cursors.Cursor | None) -> ColumnElement[bool] | None:
    """Rows of one source that come after the cursor in (moment, kind, id) descending order."""
    if cursor is None:
        return None
    if kind < cursor.kind:
        return column <= cursor.at
    if kind > cursor.kind:
        return column < cursor.at
    return or_(column < cursor.at, and_(column == cursor.at, id_column < cursor.id))


def _limited(query: Any, moment: Any, id_column: Any, kind: str, cursor: cursors.Cursor | None,
             limit: int) -> list[Any]:
    condition = after(moment, id_column, kind, cursor)
    if condition is not None:
        query = query.where(condition)
    return list(db.session.execute(query.order_by(moment.desc(), id_column.desc()).limit(limit)).all())


def new_discussions(user: User, members: list[int], tokens: list[int], cursor: cursors.Cursor | None,
                    limit: int) -> list[FeedItem]:
    if not members and not tokens:
        return []
    opening = aliased(Post)
    query = (select(Discussion, opening.body)
             .join(opening, and_(opening.discussion_id == Discussion.id, opening.depth == 0))
             .where(or_(Discussion.token_id.in_(tokens), Discussion.author_id.in_(members)),
                    Discussion.author_id != user.id, opening.state == PostState.VISIBLE.value))
    rows = _limited(query, Discussion.created_at, Discussion.id, DISCUSSION, cursor, limit)
    return [FeedItem(DISCUSSION, d.created_at, d.id, f"{d.author.name} started a discussion in {d.token.label}",
                     d.title, excerpt(body), discussion_url(d)) for d, body in rows]


def thread_comments(user: User, cursor: cursors.Cursor | None, limit: int) -> list[FeedItem]:
    """Others' comments in discussions the member started, and replies to the member's posts.

    Two indexed reads (posts by discussion, posts by parent) merged here, rather
    than one OR across a join that would scan every post.
    """
    visible_comment = and_(Post.depth > 0, Post.state == PostState.VISIBLE.value, Post.author_id != user.id)
    my_discussions = select(Discussion.id).where(Discussion.author_id == user.id)
    my_posts = select(Post.id).where(Post.author_id == user.id).scalar_subquery()
    found: dict[int, tuple[Post, Discussion]] = {}
    for condition in (Post.discussion_id.in_(my_discussions), Post.parent_id.in_(my_posts)):
        query = (select(Post, Discussion).join(Discussion, Discussion.id == Post.discussion_id)
                 .where(visible_comment, condition))
        for post, discussion in _limited(query, Post.created_at, Post.id, COMMENT, cursor, limit):
            found[post.id] = (post, discussion)
    rows = sorted(found.values(), key=lambda row: (row[0].created_at, row[0].id), reverse=True)[:limit]
    return [FeedItem(COMMENT, p.created_at, p.id, f"{p.author.name} commented in “{d.title}”", None,
                     excerpt(p.body), post_url(d, p)) for p, d in rows]


def followed_trades(tokens: list[int], cursor: cursors.Cursor | None, limit: int) -> list[FeedItem]:
    if not tokens:
        return []
    query = (select(TokenTrade, Token).join(Token, Token.mint == TokenTrade.mint)
             .where(Token.id.in_(tokens), TokenTrade.block_time.is_not(None)))
    rows = _limited(query, TokenTrade.block_time, TokenTrade.id, TRADE, cursor, limit)
    items = []
    for trade, token in rows:
        verb = "bought" if trade.side == "buy" else "sold"
        who = f"{trade.wallet[:4]}…{trade.wallet[-4:]}" if trade.wallet else "Someone"
        amount = token_text(int(trade.token_amount), token.decimals)
        items.append(FeedItem(
            TRADE, trade.block_time, trade.id,
            f"{who} {verb} {amount} {token.label} for {sol_text(int(trade.sol_amount))} SOL", None, None,
            f"/tokens/{token.mint}", trade.signature))
    return items


def challenge_results(user: User, cursor: cursors.Cursor | None, limit: int) -> list[FeedItem]:
    query = (select(ChallengeEntry, Challenge).join(Challenge, Challenge.id == ChallengeEntry.challenge_id)
             .where(ChallengeEntry.user_id == user.id, ChallengeEntry.reviewed_at.is_not(None),
                    ChallengeEntry.status.in_([EntryStatus.ACCEPTED.value, EntryStatus.REJECTED.value])))
    rows = _limited(query, ChallengeEntry.reviewed_at, ChallengeEntry.id, CHALLENGE, cursor, limit)
    items = []
    for entry, challenge in rows:
        accepted = entry.status == EntryStatus.ACCEPTED.value
        headline = f"Your entry in “{challenge.title}” was {'accepted' if accepted else 'rejected'}"
        items.append(FeedItem(CHALLENGE, entry.reviewed_at, entry.id, headline,
                              None, entry.review_reason, challenge_path(challenge)))
    return items


def build(user: User, cursor_text: str | None = None, page_size: int = PAGE_SIZE) -> FeedPage:
    """One page of the member's feed; raises cursors.BadCursor for a cursor this app did not write."""
    cursor = cursors.parse(cursor_text)
    members, tokens = followed_ids(user.id)
    limit = page_size + 1
    sources: list[Callable[[], list[FeedItem]]] = [
        lambda: new_discussions(user, members, tokens, cursor, limit),
        lambda: thread_comments(user, cursor, limit),
        lambda: followed_trades(tokens, cursor, limit),
        lambda: challenge_results(user, cursor, limit),
    ]
    merged = sorted((item for source in sources for item in source()),
                    key=lambda item: (item.at, item.kind, item.id), reverse=True)
    page = merged[:page_size]
    more = len(merged) > page_size
    return FeedPage(page, page[-1].cursor.text() if more and page else None, bool(members or tokens),
                    cursor is None)
