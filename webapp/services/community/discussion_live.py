"""What a discussion's open pages hear over the live hub (topic discussion:<id>), and where posts live.

Fragments pushed to everyone are the same for every viewer: a new comment
without its author's edit buttons, a post's changed text, a post's reaction
counts (the counts alone, so each viewer's own pressed buttons stay as they
are). A new comment goes at the end of its parent's replies unless that page
already has it (the author's page, which got it as the answer to its post).
"""
from __future__ import annotations

import logging

from flask import url_for

from webapp import live
from webapp.live.fragments import render_fragment
from webapp.live.topics import discussion_topic
from webapp.models import Discussion, Post

log = logging.getLogger("momentum.discussions")


def discussion_ref(discussion: Discussion) -> str:
    return f"{discussion.id}-{discussion.slug}" if discussion.slug else str(discussion.id)


def post_url_for(discussion: Discussion, post_id: int) -> str:
    """A post's own address: its comment page (which shows it and its replies)."""
    return url_for("discussions.comment", mint=discussion.token.mint, ref=discussion_ref(discussion),
                   post_id=post_id) + f"#post-{post_id}"


def post_url(discussion: Discussion, post: Post) -> str:
    if post.depth == 0:
        return url_for("discussions.show", mint=discussion.token.mint, ref=discussion_ref(discussion))
    return post_url_for(discussion, post.id)


def _publish(discussion_id: int, html: str) -> None:
    try:
        live.publish(discussion_topic(discussion_id), html)
    except Exception:  # the hub is best effort: the page shows the post when loaded
        log.exception("could not push to discussion %s", discussion_id)


def comment_added(discussion: Discussion, post: Post) -> None:
    from webapp.services.community import badges

    badge = badges.for_authors(discussion.token, [post.author]).get(post.author_id)
    _publish(discussion.id, render_fragment("discussions/_live_comment.html", discussion=discussion, post=post,
                                            badge=badge))


def post_changed(discussion: Discussion, post: Post) -> None:
    _publish(discussion.id, render_fragment("discussions/_live_post_content.html", discussion=discussion, post=post))


def reactions_changed(post: Post) -> None:
    _publish(post.discussion_id, render_fragment("discussions/_live_reaction_counts.html", post=post))
