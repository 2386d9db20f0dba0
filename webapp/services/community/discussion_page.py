"""Read models of the discussion pages: the discussion with a page of its comments, one comment's thread,
a run of "more replies", a post's edit history. Each `build_*` returns everything its template shows."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from webapp.extensions import db
from webapp.models import Discussion, Draft, Post, PostVersion, Role, Token, User
from webapp.services.community import badges, comment_tree, discussions, drafts, posting, reactions
from webapp.services.community.errors import CommunityError
from webapp.services.community.rights import NotAllowed, ensure_can_participate


@dataclass(frozen=True)
class Viewer:
    """Who looks at the page, as far as the page changes for them."""

    user_id: int | None
    moderator: bool
    refusal: str | None = None  # why they may not write here (suspended), shown instead of the forms

    @classmethod
    def of(cls, user: User | None) -> Viewer:
        if user is None or not getattr(user, "is_authenticated", False):
            return cls(None, False)
        try:
            ensure_can_participate(user)
            refusal = None
        except NotAllowed as error:
            refusal = str(error)
        return cls(user.id, user.has_role(Role.MODERATOR), refusal)


@dataclass(frozen=True)
class DiscussionPage:
    token: Token
    discussion: Discussion
    opening: Post
    tree: comment_tree.TreePage
    focus: Post | None  # the comment whose thread this page shows ("continue this thread")
    ancestors: tuple[Post, ...]  # the focused comment's parents up to the first comment, for context
    badges: dict[int, badges.AuthorBadge]
    mine: set[tuple[int, str]]  # the viewer's reactions on the posts shown
    viewer: Viewer
    reply_draft: Draft | None  # the viewer's draft reply to the focused post (or the discussion)


def _parse_order(order: str) -> str:
    if order not in comment_tree.ORDERS:
        raise CommunityError(f"Order comments by one of: {', '.join(comment_tree.ORDERS)}.", 400)
    return order


def _finish(discussion: Discussion, opening: Post, tree: comment_tree.TreePage, focus: Post | None,
            ancestors: tuple[Post, ...], user: User | None) -> DiscussionPage:
    viewer = Viewer.of(user)
    shown = [opening, *ancestors, *([focus] if focus else []), *tree.posts()]
    draft = drafts.load(viewer.user_id, drafts.reply_key((focus or opening).id))
    return DiscussionPage(
        token=discussion.token, discussion=discussion, opening=opening, tree=tree, focus=focus, ancestors=ancestors,
        badges=badges.for_authors(discussion.token, (post.author for post in shown)),
        mine=reactions.mine(viewer.user_id, [post.id for post in shown]), viewer=viewer, reply_draft=draft)


def build(mint: str, discussion_id: int, user: User | None, order: str = "old",
          after: int | None = None) -> DiscussionPage:
    """The discussion, its opening post and a page of its top-level comments with their threads."""
    discussion = discussions.find(mint, discussion_id)
    opening = discussions.opening_post(discussion)
    tree = comment_tree.children_page(opening, after=after, order=_parse_order(order))
    return _finish(discussion, opening, tree, None, (), user)


def build_thread(mint: str, discussion_id: int, post_id: int, user: User | None,
                 after: int | None = None, levels: int = comment_tree.LEVELS) -> DiscussionPage:
    """One comment with (a page of) its replies: "continue this thread" and "more replies" lead here."""
    discussion = discussions.find(mint, discussion_id)
    focus = posting.post_in(discussion, post_id)
    opening = discussions.opening_post(discussion)
    if focus.depth == 0:
        raise CommunityError("That is the discussion's opening post.", 404)
    limit = comment_tree.MORE_PER_PAGE if after is not None else comment_tree.ROOTS_PER_PAGE
    tree = comment_tree.children_page(focus, after=after, limit=limit, levels=max(1, min(levels, comment_tree.LEVELS)))
    ancestor_ids = [int(segment) for segment in focus.path.split(".")[1:-1]]
    ancestors = tuple(db.session.scalars(select(Post).where(Post.id.in_(ancestor_ids)).order_by(Post.path)).all())
    return _finish(discussion, opening, tree, focus, ancestors, user)


@dataclass(frozen=True)
class OnePost:
    """What one post's markup needs when it is answered alone (after its author changed it)."""

    badges: dict[int, badges.AuthorBadge]
    mine: set[tuple[int, str]]
    viewer: Viewer


def build_post(post: Post, user: User | None) -> OnePost:
    viewer = Viewer.of(user)
    return OnePost(badges.for_authors(post.discussion.token, [post.author]), reactions.mine(viewer.user_id, [post.id]),
                   viewer)


@dataclass(frozen=True)
class PostHistory:
    discussion: Discussion
    post: Post
    versions: tuple[PostVersion, ...]  # newest first


def build_history(mint: str, discussion_id: int, post_id: int, user: User | None) -> PostHistory:
    """A post's earlier versions, for its author or a moderator."""
    discussion = discussions.find(mint, discussion_id)
    post, versions = posting.history(user, discussion, post_id)
    return PostHistory(discussion, post, versions)

