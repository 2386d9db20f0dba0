"""Community: discussions and their posts, reactions, drafts, follows, notifications, reports, challenges.

A discussion is a topic on one token. Every piece of text in it is a Post:
the opening post (depth 0, no parent) and each comment under it. A post's
`path` is its ancestors' ids and its own, each zero-padded to PATH_WIDTH
digits and joined by dots, in the "C" collation; so a subtree is one range
scan of the (discussion_id, path) index in display order, and top-level
comments page by keyset on their own path.
"""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    Double,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.extensions import Model
from webapp.models.accounts import User, utcnow
from webapp.models.tokens import Token

PATH_WIDTH = 12  # digits per path segment: ids below 10**12


def path_segment(post_id: int) -> str:
    return str(post_id).zfill(PATH_WIDTH)


class Discussion(Model):
    """A topic on one token's community page; its text is its opening post."""

    __tablename__ = "discussions"
    __table_args__ = (
        Index("ix_discussions_token_created", "token_id", "created_at", "id"),
        Index("ix_discussions_token_hot", "token_id", "hot_rank", "id"),
        Index("ix_discussions_token_score", "token_id", "score", "id"),
        Index("ix_discussions_author", "author_id"),  # the feed's "comments on threads I started"
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    token_id: Mapped[int] = mapped_column(ForeignKey("tokens.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    title: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(80), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_activity_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    comment_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    score: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # reactions on the opening post
    hot_rank: Mapped[float] = mapped_column(Double, default=0.0, server_default="0")  # a ranking, not money
    hot_ranked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    token: Mapped[Token] = relationship(lazy="joined")
    author: Mapped[User] = relationship(lazy="joined")


class PostState(enum.StrEnum):
    VISIBLE = "visible"
    DELETED = "deleted"  # by its author: "[deleted]" keeps the thread's shape
    HIDDEN = "hidden"  # by a moderator, or by enough reports until reviewed
    REMOVED = "removed"  # by a moderator, for good


AUTO_HIDDEN_REASON = "hidden after reports, awaiting review"


class Post(Model):
    """The opening post of a discussion (depth 0) or a comment in its tree."""

    __tablename__ = "posts"
    __table_args__ = (
        CheckConstraint("state IN ('visible', 'deleted', 'hidden', 'removed')", name="state_known"),
        CheckConstraint("(parent_id IS NULL) = (depth = 0)", name="only_the_opening_post_has_no_parent"),
        Index("ix_posts_discussion_path", "discussion_id", "path", unique=True),
        Index("ix_posts_author_created", "author_id", "created_at"),
        Index("ix_posts_parent", "parent_id", "id"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    discussion_id: Mapped[int] = mapped_column(ForeignKey("discussions.id", ondelete="CASCADE"))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    path: Mapped[str] = mapped_column(String(1024, collation="C"))
    depth: Mapped[int] = mapped_column(Integer)
    body: Mapped[str] = mapped_column(Text)  # the author's Markdown
    body_html: Mapped[str] = mapped_column(Text)  # rendered and sanitised once, when written
    state: Mapped[str] = mapped_column(String(16), default=PostState.VISIBLE.value, server_default="visible")
    state_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    edited_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    reply_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # direct replies
    descendant_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    reaction_counts: Mapped[dict[str, int]] = mapped_column(JSONB, default=dict, server_default="{}")
    report_weight: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # open reports, weighted

    author: Mapped[User] = relationship(lazy="joined")
    discussion: Mapped[Discussion] = relationship()

    @property
    def is_visible(self) -> bool:
        return self.state == PostState.VISIBLE.value

    @property
    def gone_label(self) -> str:
        """What members read in place of a post that is not visible."""
        if self.state == PostState.DELETED.value:
            return "[deleted]"
        if self.state == PostState.REMOVED.value:
            return "[removed by moderators]"
        return f"[{AUTO_HIDDEN_REASON}]" if self.state_reason == AUTO_HIDDEN_REASON else "[hidden by moderators]"


class PostVersion(Model):
    """The text of a post before an edit: every version is kept."""

    __tablename__ = "post_versions"
    __table_args__ = (Index("ix_post_versions_post", "post_id", "id"),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"))
    editor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    title: Mapped[str | None] = mapped_column(String(200))  # the discussion's title, for an opening post
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)  # when replaced


class ReactionKind(enum.StrEnum):
    LIKE = "like"
    FIRE = "fire"
    ROCKET = "rocket"
    LAUGH = "laugh"
    EYES = "eyes"


class Reaction(Model):
    """One member's reaction of one kind on one post."""

    __tablename__ = "reactions"
    __table_args__ = (
        UniqueConstraint("post_id", "user_id", "kind", name="one_reaction_per_member_and_kind"),
        CheckConstraint("kind IN ('like', 'fire', 'rocket', 'laugh', 'eyes')", name="kind_known"),
        Index("ix_reactions_user", "user_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Draft(Model):
    """Unsent text, kept for its author: `key` is "discussion:<mint>" or "reply:<post id>"."""

    __tablename__ = "drafts"
    __table_args__ = (UniqueConstraint("user_id", "key", name="one_draft_per_place"),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(80))
    title: Mapped[str] = mapped_column(String(200), default="", server_default="")
    body: Mapped[str] = mapped_column(Text, default="", server_default="")
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Follow(Model):
    """A member following another member or a token."""

    __tablename__ = "follows"
    __table_args__ = (
        CheckConstraint("(followed_user_id IS NULL) <> (token_id IS NULL)", name="follows_one_thing"),
        CheckConstraint("followed_user_id IS NULL OR followed_user_id <> follower_id", name="not_oneself"),
        Index("one_follow_per_member", "follower_id", "followed_user_id", unique=True,
              postgresql_where=text("followed_user_id IS NOT NULL")),
        Index("one_follow_per_token", "follower_id", "token_id", unique=True,
              postgresql_where=text("token_id IS NOT NULL")),
        Index("ix_follows_followed_user", "followed_user_id", "created_at"),
        Index("ix_follows_token", "token_id"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    follower_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    followed_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    token_id: Mapped[int | None] = mapped_column(ForeignKey("tokens.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class NotificationKind(enum.StrEnum):
    REPLY = "reply"
    MENTION = "mention"
    REACTION = "reaction"
    FOLLOW = "follow"
    MODERATION = "moderation"
    PAYOUT = "payout"
    CHALLENGE = "challenge"


class Notification(Model):
    """Something a member should know; repeats of one `group_key` while unread are one row with a count."""

    __tablename__ = "notifications"
    __table_args__ = (
        Index("one_unread_per_group", "user_id", "group_key", unique=True,
              postgresql_where=text("read_at IS NULL")),
        Index("ix_notifications_user_updated", "user_id", "updated_at", "id"),
        Index("ix_notifications_unread", "user_id", postgresql_where=text("read_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    group_key: Mapped[str] = mapped_column(String(120))
    count: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    actor_ids: Mapped[list[int]] = mapped_column(JSONB, default=list, server_default="[]")  # newest first, a few
    text: Mapped[str] = mapped_column(Text)  # what it says for one occurrence ("replied to your comment")
    url: Mapped[str | None] = mapped_column(String(1024))
    data: Mapped[dict[str, object]] = mapped_column(JSONB, default=dict, server_default="{}")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ReportStatus(enum.StrEnum):
    OPEN = "open"
    UPHELD = "upheld"  # the moderator acted on the post
    DISMISSED = "dismissed"


class Report(Model):
    """A member's report of a post, with the post's text as it was when reported."""

    __tablename__ = "reports"
    __table_args__ = (
        UniqueConstraint("post_id", "reporter_id", name="one_report_per_member_and_post"),
        CheckConstraint("status IN ('open', 'upheld', 'dismissed')", name="status_known"),
        Index("ix_reports_open", "created_at", postgresql_where=text("status = 'open'")),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"))
    reporter_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(String(32))
    details: Mapped[str] = mapped_column(Text, default="", server_default="")
    reported_body: Mapped[str] = mapped_column(Text)
    weight: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    status: Mapped[str] = mapped_column(String(16), default=ReportStatus.OPEN.value, server_default="open")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    post: Mapped[Post] = relationship(lazy="joined")
    reporter: Mapped[User] = relationship(foreign_keys=[reporter_id], lazy="joined")


class EntryStatus(enum.StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    REJECTED = "rejected"


class Challenge(Model):
    """A token community's challenge with a reward in points and optionally tokens."""

    __tablename__ = "challenges"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint("reward_points >= 0 AND reward_token_amount >= 0", name="rewards_not_negative"),
        Index("ix_challenges_token_ends", "token_id", "ends_at"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    token_id: Mapped[int] = mapped_column(ForeignKey("tokens.id", ondelete="CASCADE"))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    description_html: Mapped[str] = mapped_column(Text)
    starts_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ends_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    reward_points: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    reward_token_amount: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")  # base units
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    token: Mapped[Token] = relationship(lazy="joined")


class ChallengeEntry(Model):
    """A member's entry in a challenge; an accepted one carries a pending reward for the Momentum engine."""

    __tablename__ = "challenge_entries"
    __table_args__ = (
        UniqueConstraint("challenge_id", "user_id", name="one_entry_per_member"),
        CheckConstraint("status IN ('pending', 'accepted', 'rejected')", name="status_known"),
        CheckConstraint("status <> 'rejected' OR review_reason IS NOT NULL", name="rejection_has_a_reason"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    challenge_id: Mapped[int] = mapped_column(ForeignKey("challenges.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(Text, default="", server_default="")
    link: Mapped[str | None] = mapped_column(String(2048))
    status: Mapped[str] = mapped_column(String(16), default=EntryStatus.PENDING.value, server_default="pending")
    review_reason: Mapped[str | None] = mapped_column(Text)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # set on acceptance from the challenge's reward; the Momentum engine pays it and marks it paid
    reward_points: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    reward_token_amount: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    reward_paid: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    challenge: Mapped[Challenge] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id], lazy="joined")
