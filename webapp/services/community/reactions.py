"""Reactions: a fixed set of kinds, one of each per member per post, counted on the post as it changes.

A member turns a reaction on or off (the button says which it wants, so two
tabs sending "on" at once still count once): the row goes in with INSERT ...
ON CONFLICT DO NOTHING or out with DELETE ... RETURNING, and only a row that
really went in or out moves the post's reaction_counts (and, on an opening
post, the discussion's score) by one, with jsonb arithmetic in a single
UPDATE rather than a read-modify-write.
"""
from __future__ import annotations

from sqlalchemy import bindparam, delete, func, select, text, update
from sqlalchemy.dialects.postgresql import insert

from webapp.extensions import db
from webapp.models import Discussion, NotificationKind, Reaction, ReactionKind, User
from webapp.services.community import discussion_live, notifications
from webapp.services.community.errors import CommunityError
from webapp.services.community.posting import participant, post_in

KINDS = tuple(kind.value for kind in ReactionKind)
EMOJI = {"like": "👍", "fire": "🔥", "rocket": "🚀", "laugh": "😂", "eyes": "👀"}

_MOVE_COUNT = text("""
UPDATE posts SET reaction_counts = jsonb_set(
    reaction_counts, ARRAY[CAST(:kind AS text)],
    to_jsonb(greatest(0, coalesce((reaction_counts ->> CAST(:kind AS text))::int, 0) + :delta)))
 WHERE id = :post_id
""")


def set_reaction(user: User | None, discussion: Discussion, post_id: int, kind: str, on: bool) -> bool:
    """Turn the member's `kind` reaction on `post_id` on or off; True when something changed. Commits."""
    member = participant(user)
    if kind not in KINDS:
        raise CommunityError(f"React with one of: {', '.join(KINDS)}.", 400)
    post = post_in(discussion, post_id)
    if not post.is_visible and on:
        raise CommunityError("This post is no longer shown: it takes no reactions.", 422)
    if on:
        changed = db.session.execute(insert(Reaction).values(post_id=post.id, user_id=member.id, kind=kind)
                                     .on_conflict_do_nothing(constraint="one_reaction_per_member_and_kind")
                                     .returning(Reaction.id)).first() is not None
    else:
        changed = db.session.execute(delete(Reaction).where(
            Reaction.post_id == post.id, Reaction.user_id == member.id, Reaction.kind == kind)
            .returning(Reaction.id)).first() is not None
    if changed:
        delta = 1 if on else -1
        db.session.execute(_MOVE_COUNT, {"kind": kind, "delta": delta, "post_id": post.id})
        if post.depth == 0:
            db.session.execute(update(Discussion).where(Discussion.id == discussion.id)
                               .values(score=Discussion.score + bindparam("delta")), {"delta": delta})
        if on:
            notifications.notify(post.author_id, NotificationKind.REACTION, f"reaction:post:{post.id}",
                                 f"reacted to your {'post' if post.depth == 0 else 'comment'} in “{discussion.title}”",
                                 url=discussion_live.post_url(discussion, post), actor_id=member.id,
                                 data={"post_id": post.id, "kind": kind})
    db.session.commit()
    if changed:
        db.session.refresh(post)
        discussion_live.reactions_changed(post)
    return changed


def mine(user_id: int | None, post_ids: list[int]) -> set[tuple[int, str]]:
    """(post id, kind) for each reaction the member has on these posts (one query for a page)."""
    if user_id is None or not post_ids:
        return set()
    rows = db.session.execute(select(Reaction.post_id, Reaction.kind).where(
        Reaction.user_id == user_id, Reaction.post_id.in_(post_ids))).all()
    return {(post_id, kind) for post_id, kind in rows}


def counted(post_id: int) -> dict[str, int]:
    """Reactions per kind as the rows say (to check the counter against)."""
    rows = db.session.execute(select(Reaction.kind, func.count()).where(Reaction.post_id == post_id)
                              .group_by(Reaction.kind)).all()
    return {kind: int(count) for kind, count in rows}
