"""Writing in a discussion: replies anywhere in the tree, edits that keep every version, deletion by the author.

A reply takes its id from the sequence first, so its path (the parent's path,
a dot, its own zero-padded id) is written with the row. In the same
transaction every ancestor's descendant_count, the parent's reply_count and
the discussion's comment_count and last activity move, the parent's author
is told of the reply and mentioned members of their mention. Live pages of
the discussion hear of it after the commit.
"""
from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import case, select, text, update

from webapp.extensions import BIGINT_MAX, db
from webapp.models import Discussion, NotificationKind, Post, PostState, PostVersion, Role, User, path_segment
from webapp.services.community import discussion_live, drafts, mentions, notifications
from webapp.services.community.errors import CommunityError, InvalidText
from webapp.services.community.rights import NotAllowed, ensure_can_participate

BODY_MIN, BODY_MAX = 1, 20_000
MAX_DEPTH = 75  # a path holds 78 segments of 12 digits; deeper replies go to the deepest comment's parent
GONE = {PostState.DELETED.value: "deleted", PostState.HIDDEN.value: "hidden by moderators",
        PostState.REMOVED.value: "removed by moderators"}


def participant(user: User | None) -> User:
    """The member if they may write; 401 for visitors, 403 (with why and until when) for suspended members."""
    try:
        return ensure_can_participate(user)
    except NotAllowed as error:
        signed_in = user is not None and getattr(user, "is_authenticated", False)
        raise CommunityError(str(error), 403 if signed_in else 401) from error


def next_post_id() -> int:
    return int(db.session.execute(text("SELECT nextval(pg_get_serial_sequence('posts', 'id'))")).scalar_one())


def check_body(body: str) -> str:
    body = body.strip()
    if not BODY_MIN <= len(body) <= BODY_MAX:
        raise InvalidText(f"Write {BODY_MIN} to {BODY_MAX:,} characters; this has {len(body):,}.")
    return body


def post_in(discussion: Discussion, post_id: int) -> Post:
    """A post of this discussion; another discussion's post is refused like a missing one."""
    post = db.session.get(Post, post_id) if 0 < post_id <= BIGINT_MAX else None
    if post is None or post.discussion_id != discussion.id:
        raise CommunityError("That comment is not part of this discussion.", 404)
    return post


def reply(user: User | None, discussion: Discussion, parent_id: int, body: str) -> Post:
    """A comment under `parent_id` (the opening post or any comment of this discussion). Commits."""
    author = participant(user)
    parent = db.session.get(Post, parent_id) if 0 < parent_id <= BIGINT_MAX else None
    if parent is None or parent.discussion_id != discussion.id:
        raise CommunityError("You can only reply to a comment of this discussion.", 400)
    if not parent.is_visible:
        raise CommunityError(f"This comment was {GONE[parent.state]}: it takes no new replies.", 422)
    if parent.depth >= MAX_DEPTH:
        raise CommunityError("This thread is as deep as threads go: reply further up.", 422)
    body = check_body(body)
    rendered = mentions.render(body)
    now = datetime.now(UTC)
    post_id = next_post_id()
    post = Post(id=post_id, discussion_id=discussion.id, parent_id=parent.id, author_id=author.id,
                path=f"{parent.path}.{path_segment(post_id)}", depth=parent.depth + 1, body=body,
                body_html=rendered.html, created_at=now)
    db.session.add(post)
    db.session.flush()
    ancestors = [int(segment) for segment in parent.path.split(".")]
    db.session.execute(update(Post).where(Post.id.in_(ancestors)).values(
        descendant_count=Post.descendant_count + 1,
        reply_count=Post.reply_count + case((Post.id == parent.id, 1), else_=0)))
    db.session.execute(update(Discussion).where(Discussion.id == discussion.id).values(
        comment_count=Discussion.comment_count + 1, last_activity_at=now))
    drafts.clear(author.id, drafts.reply_key(parent.id))
    where = f"the discussion “{discussion.title}”"
    notifications.notify(parent.author_id, NotificationKind.REPLY, f"reply:post:{parent.id}",
                         f"replied to your {'post' if parent.depth == 0 else 'comment'} in {where}",
                         url=discussion_live.post_url(discussion, post), actor_id=author.id,
                         data={"post_id": post_id, "discussion_id": discussion.id})
    notify_mentions(author, rendered.mentioned, post, discussion, skip={parent.author_id})
    db.session.commit()
    db.session.refresh(post)
    discussion_live.comment_added(discussion, post)
    return post


def notify_mentions(author: User, mentioned: tuple[int, ...], post: Post, discussion: Discussion,
                    skip: set[int] | frozenset[int] = frozenset()) -> None:
    """Tell each member mentioned (once per post while unread) where."""
    for member_id in mentioned:
        if member_id in skip:
            continue
        notifications.notify(member_id, NotificationKind.MENTION, f"mention:post:{post.id}",
                             f"mentioned you in “{discussion.title}”", url=discussion_live.post_url(discussion, post),
                             actor_id=author.id, data={"post_id": post.id, "discussion_id": discussion.id})


def _own_visible_post(user: User | None, discussion: Discussion, post_id: int) -> tuple[User, Post]:
    member = participant(user)
    post = post_in(discussion, post_id)
    if post.author_id != member.id:
        raise CommunityError("Only its author can change this post.", 403)
    if not post.is_visible:
        raise CommunityError(f"This post was {GONE[post.state]} and can no longer be changed.", 422)
    return member, post


def edit(user: User | None, discussion: Discussion, post_id: int, body: str, title: str | None = None) -> Post:
    """The author's new text; the text it replaces is kept as a version. Commits."""
    from webapp.services.community.discussions import check_title

    member, post = _own_visible_post(user, discussion, post_id)
    body = check_body(body)
    new_title = check_title(title) if title is not None and post.depth == 0 else None
    if body == post.body and (new_title is None or new_title == discussion.title):
        return post
    before = set(mentions.render(post.body).mentioned)
    rendered = mentions.render(body)
    db.session.add(PostVersion(post_id=post.id, editor_id=member.id, body=post.body,
                               title=discussion.title if post.depth == 0 else None))
    post.body, post.body_html, post.edited_at = body, rendered.html, datetime.now(UTC)
    if new_title is not None and new_title != discussion.title:
        from webapp.services.community.discussions import slugify

        discussion.title, discussion.slug = new_title, slugify(new_title)
    new_mentions = tuple(member_id for member_id in rendered.mentioned if member_id not in before)
    notify_mentions(member, new_mentions, post, discussion)
    db.session.commit()
    discussion_live.post_changed(discussion, post)
    return post


def delete(user: User | None, discussion: Discussion, post_id: int) -> Post:
    """The author takes their post down: it reads "[deleted]", its replies stay where they are. Commits."""
    _, post = _own_visible_post(user, discussion, post_id)
    post.state = PostState.DELETED.value
    post.edited_at = datetime.now(UTC)
    db.session.commit()
    discussion_live.post_changed(discussion, post)
    return post


def may_see_history(viewer: User | None, post: Post) -> bool:
    """Authors see their own post's versions; moderators and admins see every post's."""
    if viewer is None or not getattr(viewer, "is_authenticated", False):
        return False
    return viewer.id == post.author_id or viewer.has_role(Role.MODERATOR)


def history(viewer: User | None, discussion: Discussion, post_id: int) -> tuple[Post, tuple[PostVersion, ...]]:
    """The post and its earlier versions, newest first, for whoever may see them."""
    post = post_in(discussion, post_id)
    if not may_see_history(viewer, post):
        raise CommunityError("Only the author and moderators can see earlier versions of this post.",
                             401 if viewer is None or not getattr(viewer, "is_authenticated", False) else 403)
    versions = db.session.scalars(select(PostVersion).where(PostVersion.post_id == post.id)
                                  .order_by(PostVersion.id.desc())).all()
    return post, tuple(versions)
