"""The comment tree: paths and counters kept by replies, and paging deep, wide and large threads
(every comment exactly once, in order, folded behind "continue this thread" and "more replies")."""
from __future__ import annotations

import random
import re

from sqlalchemy import select

from tests.conftest import get_row
from tests.integration.community.discussion_support import build_tree, make_token, member_id, post, start_discussion
from webapp.extensions import db
from webapp.models import Discussion, Notification, Post, User, path_segment
from webapp.services.community import comment_tree


def _all_comments_in_path_order(app, discussion_id: int) -> list[int]:
    with app.app_context():
        return list(db.session.scalars(select(Post.id).where(Post.discussion_id == discussion_id, Post.depth > 0)
                                       .order_by(Post.path)).all())


def _walk(parent: Post, after: int | None, limit: int, levels: int, order: str = "old") -> list[int]:
    """Every reply under `parent` after `after`, as a reader following every link would see them."""
    seen: list[int] = []
    while True:
        page = comment_tree.children_page(parent, after=after, limit=limit, levels=levels, order=order)
        last_depth = parent.depth + levels
        for node in page.nodes:
            seen += _expand(node, last_depth)
        if page.next_after is None:
            return seen
        after = page.next_after


def _expand(node: comment_tree.Node, last_depth: int) -> list[int]:
    seen = [node.post.id]
    for child in node.children:
        seen += _expand(child, last_depth)
    if node.folded:
        assert not node.children and node.post.depth == last_depth
        seen += _walk(node.post, None, comment_tree.ROOTS_PER_PAGE, comment_tree.LEVELS)  # its own page
    elif node.more_after is not None:
        assert len(node.children) <= comment_tree.SHOWN_CHILDREN
        seen += _walk(node.post, node.more_after, comment_tree.MORE_PER_PAGE, last_depth - node.post.depth)
    else:
        assert len(node.children) == node.post.reply_count
    return seen


def _opening(app, discussion_id: int) -> Post:
    return db.session.scalars(select(Post).where(Post.discussion_id == discussion_id, Post.depth == 0)).one()


def test_replies_keep_paths_and_counters_and_notify_the_parent_author(app, client, auth, make_user) -> None:
    mint = make_token(app)
    first = auth.sign_in()
    location = start_discussion(client, mint)
    with app.app_context():
        discussion_id = db.session.scalars(select(Discussion.id)).one()
        opening = _opening(app, discussion_id)
        opening_id, opening_path = opening.id, opening.path
        db.session.execute(User.__table__.update().where(User.id == member_id(app, first)).values(display_name="Ana"))
        db.session.commit()
    third = member_id(app, make_user())
    with app.app_context():
        db.session.execute(User.__table__.update().where(User.id == third).values(display_name="Bo_Holder"))
        db.session.commit()
    second = auth.sign_in()
    reply = post(client, f"{location}/comments",
                 {"parent_id": str(opening_id), "body": "First! @ana, @bo_holder and @nobody"})
    assert reply.status_code == 302
    with app.app_context():
        comment = db.session.scalars(select(Post).where(Post.depth == 1)).one()
        db.session.expunge(comment)
    assert reply.headers["Location"].endswith(f"/comments/{comment.id}#post-{comment.id}")
    nested = post(client, f"{location}/comments", {"parent_id": str(comment.id), "body": "Nested"}, htmx=True)
    assert nested.status_code == 200
    html = nested.get_data(as_text=True)
    assert 'id="post-' in html and "Nested" in html and f'id="reply-slot-{comment.id}" hx-swap-oob="innerHTML"' in html
    with app.app_context():
        inner = db.session.scalars(select(Post).where(Post.depth == 2)).one()
        assert comment.path == f"{opening_path}.{path_segment(comment.id)}"
        assert inner.path == f"{comment.path}.{path_segment(inner.id)}" and inner.parent_id == comment.id
        opening_now = get_row(Post, opening_id)
        comment_now = get_row(Post, comment.id)
        comment = comment_now
        assert (opening_now.reply_count, opening_now.descendant_count) == (1, 2)
        assert (comment_now.reply_count, comment_now.descendant_count) == (1, 1)
        discussion = get_row(Discussion, discussion_id)
        assert discussion.comment_count == 2 and discussion.last_activity_at >= inner.created_at
        # the first author heard of the reply (once, though mentioned too), Bo of the mention; @nobody stays text
        notes = db.session.scalars(select(Notification).order_by(Notification.id)).all()
        assert [(note.user_id, note.kind, note.group_key) for note in notes] == [
            (member_id(app, first), "reply", f"reply:post:{opening_id}"),
            (third, "mention", f"mention:post:{comment.id}")]
        assert comment.body_html.count('class="mention"') == 2 and "@nobody" in comment.body_html
        assert comment.body_html.count("<a ") == 2
        # the second member replied to themself: no notification
        assert db.session.scalar(select(Notification.id).where(Notification.user_id == member_id(app, second))) \
            is None


def test_a_50_level_thread_folds_every_five_levels_and_every_comment_is_reachable(app, client, make_user) -> None:
    mint = make_token(app)
    author = member_id(app, make_user())
    shape = [(level, level - 1 if level > 1 else None) for level in range(1, 51)]
    ids = build_tree(app, author, mint, shape)
    with app.app_context():
        opening = _opening(app, ids["discussion"])
        page = comment_tree.children_page(opening)
        node, depth = page.nodes[0], 1
        while node.children:
            node, depth = node.children[0], depth + 1
        assert depth == comment_tree.LEVELS and node.folded and node.post.id == ids[5]
        assert _walk(opening, None, 20, comment_tree.LEVELS) == _all_comments_in_path_order(app, ids["discussion"])
    html = client.get(f"/tokens/{mint}/discussions/{ids['discussion']}-big-thread").get_data(as_text=True)
    assert f"/comments/{ids[5]}\">Continue this thread" in html and f'id="post-{ids[6]}"' not in html
    thread = client.get(f"/tokens/{mint}/discussions/{ids['discussion']}-big-thread/comments/{ids[5]}")
    text = thread.get_data(as_text=True)
    assert thread.status_code == 200
    assert all(f'id="post-{ids[level]}"' in text for level in range(6, 11))
    assert f"/comments/{ids[10]}\">Continue this thread" in text and f'id="post-{ids[11]}"' not in text


def test_2000_top_level_comments_page_by_keyset_both_ways(app, client, make_user) -> None:
    mint = make_token(app)
    author = member_id(app, make_user())
    ids = build_tree(app, author, mint, [(index, None) for index in range(2000)])
    expected = [ids[index] for index in range(2000)]
    with app.app_context():
        opening = _opening(app, ids["discussion"])
        assert _walk(opening, None, 20, comment_tree.LEVELS) == expected
        assert _walk(opening, None, 20, comment_tree.LEVELS, order="new") == expected[::-1]
    # over HTTP: follow "Show more comments" (htmx appends the next page and swaps the link)
    url = f"/tokens/{mint}/discussions/{ids['discussion']}-big-thread"
    seen: list[int] = []
    pages = 0
    while url:
        html = client.get(url, headers={"HX-Request": "true"} if "after=" in url else {}).get_data(as_text=True)
        seen += [int(found) for found in re.findall(r'<article class="post[^"]*" id="post-(\d+)" data-depth="1"',
                                                    html)]
        found = re.search(r'id="more-\d+"[^>]*>\s*<a class="btn btn-small btn-ghost" href="([^"]+)"', html)
        url = found.group(1).replace("&amp;", "&") if found else ""
        pages += 1
    assert seen == expected and pages == 100


def test_300_siblings_show_a_few_then_more_replies_pages_through_all(app, client, make_user) -> None:
    mint = make_token(app)
    author = member_id(app, make_user())
    shape: list[tuple[object, object]] = [("root", None)] + [(f"child{index}", "root") for index in range(300)]
    shape += [(f"grandchild{index}", f"child{index}") for index in range(0, 300, 7)]
    ids = build_tree(app, author, mint, shape)
    with app.app_context():
        opening = _opening(app, ids["discussion"])
        page = comment_tree.children_page(opening)
        root = page.nodes[0]
        assert [child.post.id for child in root.children] == [ids[f"child{index}"] for index in range(5)]
        assert root.more_after == ids["child4"] and root.hidden_replies == 295
        assert _walk(opening, None, 20, comment_tree.LEVELS) == _all_comments_in_path_order(app, ids["discussion"])
    base = f"/tokens/{mint}/discussions/{ids['discussion']}-big-thread"
    html = client.get(base).get_data(as_text=True)
    assert "295 more replies" in html
    url = f"{base}/comments/{ids['root']}/replies?after={ids['child4']}&levels=4"
    seen: list[int] = []
    while url:
        fragment = client.get(url, headers={"HX-Request": "true"}).get_data(as_text=True)
        seen += [int(found) for found in re.findall(r'id="post-(\d+)" data-depth="2"', fragment)]
        found = re.search(r'id="more-\d+" hx-swap-oob="outerHTML">\s*<a[^>]+href="([^"]+)"', fragment)
        url = found.group(1).replace("&amp;", "&") if found else ""
    assert seen == [ids[f"child{index}"] for index in range(5, 300)]


def test_a_random_2000_comment_thread_pages_every_comment_once_in_order(app, make_user) -> None:
    mint = make_token(app)
    author = member_id(app, make_user())
    rng = random.Random(15)
    shape: list[tuple[int, int | None]] = []
    for index in range(2000):
        # a mix: new top-level comments, replies to recent ones (deep chains) and to popular ones (wide lists)
        roll = rng.random()
        parent = None if roll < 0.15 or index == 0 else (index - 1 if roll < 0.55 else rng.randrange(index))
        shape.append((index, parent))
    ids = build_tree(app, author, mint, shape)
    with app.app_context():
        opening = _opening(app, ids["discussion"])
        seen = _walk(opening, None, 20, comment_tree.LEVELS)
        assert len(seen) == 2000 and len(set(seen)) == 2000
        assert seen == _all_comments_in_path_order(app, ids["discussion"])


def test_replies_to_gone_posts_or_another_discussions_comment_are_refused(app, client, auth) -> None:
    mint = make_token(app)
    auth.sign_in()
    first = start_discussion(client, mint, "First topic")
    second = start_discussion(client, mint, "Second topic")
    with app.app_context():
        openings = db.session.scalars(select(Post).where(Post.depth == 0).order_by(Post.id)).all()
    reply = post(client, f"{first}/comments", {"parent_id": str(openings[0].id), "body": "a comment"})
    assert reply.status_code == 302
    with app.app_context():
        comment = db.session.scalars(select(Post).where(Post.depth == 1)).one()
    wrong = post(client, f"{second}/comments", {"parent_id": str(comment.id), "body": "cross"})
    assert wrong.status_code == 400 and "only reply to a comment of this discussion" in wrong.get_data(as_text=True)
    for state, words in (("hidden", "hidden by moderators"), ("removed", "removed by moderators"),
                         ("deleted", "deleted")):
        with app.app_context():
            db.session.execute(Post.__table__.update().where(Post.id == comment.id).values(state=state))
            db.session.commit()
        refused = post(client, f"{first}/comments", {"parent_id": str(comment.id), "body": "late"})
        assert refused.status_code == 422 and f"This comment was {words}" in refused.get_data(as_text=True)
    empty = post(client, f"{first}/comments", {"parent_id": str(openings[0].id), "body": "  "})
    assert empty.status_code == 422 and "Write 1 to 20,000 characters" in empty.get_data(as_text=True)
    with app.app_context():
        counted = db.session.scalar(select(Discussion.comment_count).where(Discussion.id == openings[0].discussion_id))
        assert counted == 1
        assert len(db.session.scalars(select(Post)).all()) == 3


def test_gone_posts_keep_their_place_with_a_label(app, client, auth, make_user) -> None:
    mint = make_token(app)
    author = member_id(app, make_user())
    ids = build_tree(app, author, mint, [("a", None), ("b", "a"), ("c", "a"), ("d", "a")])
    with app.app_context():
        for key, state in (("a", "deleted"), ("b", "hidden"), ("c", "removed")):
            db.session.execute(Post.__table__.update().where(Post.id == ids[key]).values(state=state))
        db.session.commit()
    url = f"/tokens/{mint}/discussions/{ids['discussion']}-big-thread"
    html = client.get(url).get_data(as_text=True)
    assert "[deleted]" in html and "[hidden by moderators]" in html and "[removed by moderators]" in html
    assert f"post {ids['a']}<" not in html and f"post {ids['b']}<" not in html and f"post {ids['d']}<" in html
    moderator = make_user("moderator")
    auth.sign_in(moderator)
    html = client.get(url).get_data(as_text=True)
    assert "[hidden by moderators]" in html and f"post {ids['b']}<" in html and f"post {ids['a']}<" not in html
