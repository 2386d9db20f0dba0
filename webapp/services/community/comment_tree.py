"""Reading a discussion's comment tree a page at a time.

A page is up to `limit` children of one post (the opening post's for the
discussion page, a comment's for "continue this thread" and "more replies"),
found by keyset on the parent index, then all their subtrees in one range
scan of the (discussion_id, path) index: from the first child's path to just
past the last one's subtree ('/' sorts right after '.'), `levels` deep, in
path order, which is display order. Within the range only the first
`shown_children` replies of each comment come back (a window over the scan),
so a comment with 300 replies shows a few and a "more replies" link; a
comment at the deepest shown level with replies shows "continue this thread".
Every comment appears exactly once across a parent's pages: pages follow
sibling ids, which are the last segment of each path.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import func, or_, select
from sqlalchemy.orm import aliased

from webapp.extensions import db
from webapp.models import Post

ROOTS_PER_PAGE = 20
LEVELS = 5  # levels of comments under the page's parent: its children and four levels below them
SHOWN_CHILDREN = 5
MORE_PER_PAGE = 10
ORDERS = {"old": "Oldest first", "new": "Newest first"}


@dataclass
class Node:
    post: Post
    children: list[Node] = field(default_factory=list)
    folded: bool = False  # deeper than this page shows: "continue this thread"
    more_after: int | None = None  # replies beyond those shown continue after this child's id

    @property
    def hidden_replies(self) -> int:
        return 0 if self.folded and not self.children else self.post.reply_count - len(self.children)


@dataclass(frozen=True)
class TreePage:
    parent: Post
    nodes: tuple[Node, ...]
    next_after: int | None  # the cursor of the next page of the parent's children, if any
    levels: int
    order: str

    def posts(self) -> list[Post]:
        found: list[Post] = []
        stack = list(self.nodes)
        while stack:
            node = stack.pop()
            found.append(node.post)
            stack.extend(node.children)
        return found


def children_page(parent: Post, *, after: int | None = None, order: str = "old", limit: int = ROOTS_PER_PAGE,
                  levels: int = LEVELS, shown_children: int = SHOWN_CHILDREN) -> TreePage:
    """The next `limit` replies of `parent` after the reply `after`, each with its subtree `levels` deep."""
    newest_first = order == "new"
    roots = select(Post.id, Post.path).where(Post.parent_id == parent.id)
    if after is not None:
        roots = roots.where(Post.id < after if newest_first else Post.id > after)
    rows = db.session.execute(roots.order_by(Post.id.desc() if newest_first else Post.id).limit(limit + 1)).all()
    more = len(rows) > limit
    rows = rows[:limit]
    if not rows:
        return TreePage(parent, (), None, levels, order)
    paths = [path for _, path in rows]
    first_level = parent.depth + 1
    sibling_rank = func.row_number().over(partition_by=Post.parent_id, order_by=Post.path).label("sibling_rank")
    scan = (select(Post, sibling_rank)
            .where(Post.discussion_id == parent.discussion_id, Post.path >= min(paths),
                   Post.path < max(paths) + "/", Post.depth < first_level + levels)
            .subquery())
    in_scan = aliased(Post, scan)
    posts = db.session.scalars(select(in_scan).where(or_(scan.c.sibling_rank <= shown_children,
                                                         scan.c.depth == first_level))
                               .order_by(scan.c.path)).all()
    nodes = _assemble(posts, first_level, first_level + levels - 1)
    if newest_first:
        nodes.reverse()
    return TreePage(parent, tuple(nodes), rows[-1][0] if more else None, levels, order)


def _assemble(posts: Sequence[Post], first_level: int, last_level: int) -> list[Node]:
    """Posts in path order as trees; a reply whose parent was left out (beyond the shown few) is left out too."""
    top: list[Node] = []
    by_id: dict[int, Node] = {}
    for post in posts:
        node = Node(post)
        if post.depth == first_level:
            top.append(node)
        elif post.parent_id in by_id:
            by_id[post.parent_id].children.append(node)
        else:
            continue
        by_id[post.id] = node
    for node in by_id.values():
        if node.post.depth == last_level and node.post.reply_count:
            node.folded = True
        elif node.post.reply_count > len(node.children):
            node.more_after = node.children[-1].post.id if node.children else 0
    return top
