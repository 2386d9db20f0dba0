"""Discussions on a token: starting one, the list and its sorts, the page, bad input, rights."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from tests.integration.community.discussion_support import (
    build_tree,
    csrf,
    discussion_rows,
    make_token,
    member_id,
    post,
    start_discussion,
)
from webapp.extensions import db
from webapp.models import Discussion, Draft, Post, User
from webapp.services.community import trending


def test_a_member_starts_a_discussion_and_it_shows_on_its_page(app, client, auth) -> None:
    mint = make_token(app)
    auth.sign_in()
    location = start_discussion(client, mint, "Roadmap: what ships in Q3?", "Tell us **everything**.")
    [discussion] = discussion_rows(app)
    assert location == f"/tokens/{mint}/discussions/{discussion.id}-roadmap-what-ships-in-q3"
    assert discussion.hot_rank > 0  # ranked at once, so it shows in "hot" before the worker runs
    with app.app_context():
        opening = db.session.scalars(select(Post).where(Post.discussion_id == discussion.id)).one()
        assert opening.depth == 0 and opening.parent_id is None and opening.path == f"{opening.id:012d}"
    page = client.get(location).get_data(as_text=True)
    assert "Roadmap: what ships in Q3?" in page and "<strong>everything</strong>" in page
    listing = client.get(f"/tokens/{mint}/discussions").get_data(as_text=True)
    assert "Roadmap: what ships in Q3?" in listing and "(hours since it started + 2)^1.8" in listing


def test_the_id_alone_or_a_wrong_slug_redirects_and_other_tokens_say_404(app, client, auth) -> None:
    mint = make_token(app)
    other = make_token(app, mint="Other1111111111111111111111111111111")
    auth.sign_in()
    location = start_discussion(client, mint, "Hello there")
    discussion_id = discussion_rows(app)[0].id
    for ref in (str(discussion_id), f"{discussion_id}-wrong"):
        reply = client.get(f"/tokens/{mint}/discussions/{ref}")
        assert reply.status_code == 301 and reply.headers["Location"].endswith(location)
    assert client.get(f"/tokens/{other}/discussions/{discussion_id}").status_code == 404
    assert client.get(f"/tokens/{mint}/discussions/{discussion_id + 1}").status_code == 404
    assert client.get(f"/tokens/{mint}/discussions/abc").status_code == 404
    assert client.get("/tokens/NoSuchMint/discussions").status_code == 404


@pytest.mark.parametrize(("title", "body", "message"), [
    ("", "body", "A title is 3 to 150 characters; this one has 0."),
    ("ab", "body", "A title is 3 to 150 characters; this one has 2."),
    ("x" * 151, "body", "this one has 151"),
    ("Fine title", "   ", "Write 1 to 20,000 characters; this has 0."),
    ("Fine title", "y" * 20_001, "this has 20,001"),
])
def test_titles_and_bodies_outside_the_limits_are_refused_and_nothing_is_written(app, client, auth, title, body,
                                                                                 message) -> None:
    mint = make_token(app)
    auth.sign_in()
    reply = post(client, f"/tokens/{mint}/discussions/new", {"title": title, "body": body})
    assert reply.status_code == 422
    assert message in reply.get_data(as_text=True)
    assert discussion_rows(app) == []
    with app.app_context():
        assert db.session.scalar(select(Post.id)) is None


def test_signed_out_and_suspended_members_cannot_start_one(app, client, auth) -> None:
    mint = make_token(app)
    assert client.get(f"/tokens/{mint}/discussions/new").status_code == 302  # to sign in
    reply = client.post(f"/tokens/{mint}/discussions/new", data={"title": "Hello", "body": "x"})
    assert reply.status_code == 401
    keypair = auth.sign_in()
    with app.app_context():
        db.session.execute(update(User).where(User.id == member_id(app, keypair)).values(
            suspended_until=datetime.now(UTC) + timedelta(days=2), suspension_reason="spam"))
        db.session.commit()
    reply = post(client, f"/tokens/{mint}/discussions/new", {"title": "Hello", "body": "x"})
    assert reply.status_code == 403
    assert "You are suspended until" in reply.get_data(as_text=True) and "spam" in reply.get_data(as_text=True)
    assert discussion_rows(app) == []


def test_script_and_javascript_links_in_a_discussion_come_out_inert(app, client, auth) -> None:
    mint = make_token(app)
    auth.sign_in()
    location = start_discussion(client, mint, "<script>alert(1)</script> title",
                                "<img src=x onerror=alert(1)> [click](javascript:alert(1)) <b>bold</b>")
    page = client.get(location).get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt; title" in page
    assert "onerror=alert" not in page.replace("onerror=alert(1)&gt;", "")
    assert 'href="javascript:' not in page and "<b>bold</b>" not in page


def test_sorts_and_show_more_page_without_gaps_or_repeats(app, client, auth) -> None:
    mint = make_token(app)
    keypair = auth.sign_in()
    author = member_id(app, keypair)
    with app.app_context():
        from webapp.models import Token

        token_id = db.session.scalar(select(Token.id).where(Token.mint == mint))
        now = datetime.now(UTC)
        for index in range(45):
            db.session.add(Discussion(token_id=token_id, author_id=author, title=f"Topic {index:02d}",
                                      slug=f"topic-{index:02d}", created_at=now - timedelta(hours=index * 5),
                                      last_activity_at=now, score=index % 7, comment_count=index % 3))
        db.session.commit()
        assert trending.rank_recent() == 45
    for sort, expected in (("new", 45), ("hot", 45), ("top", 34)):  # top: the last 7 days (0..33 times 5 h)
        seen: list[str] = []
        url = f"/tokens/{mint}/discussions?sort={sort}"
        while url:
            html = client.get(url, headers={"HX-Request": "true"} if "cursor" in url else {}).get_data(as_text=True)
            seen += [line.split(">Topic ")[1][:2] for line in html.splitlines() if ">Topic " in line]
            marker = f'href="/tokens/{mint}/discussions?sort={sort}&amp;cursor='
            url = html.split(marker)[1].split('"')[0].replace("&amp;", "&") if marker in html else ""
            url = f"/tokens/{mint}/discussions?sort={sort}&cursor={url}" if url else ""
        assert len(seen) == expected and len(set(seen)) == expected, sort
        if sort == "new":
            assert seen == [f"{index:02d}" for index in range(45)]
    assert client.get(f"/tokens/{mint}/discussions?sort=bogus").status_code == 400
    assert client.get(f"/tokens/{mint}/discussions?sort=new&cursor=zzz").status_code == 400


def test_the_draft_of_a_new_discussion_is_kept_and_cleared_when_posted(app, client, auth) -> None:
    mint = make_token(app)
    keypair = auth.sign_in()
    reply = post(client, f"/tokens/{mint}/discussions/drafts",
                 {"draft_key": f"discussion:{mint}", "title": "Half a title", "body": "Half a thought"}, htmx=True)
    assert reply.status_code == 200 and "Draft saved" in reply.get_data(as_text=True)
    form = client.get(f"/tokens/{mint}/discussions/new").get_data(as_text=True)
    assert 'value="Half a title"' in form and ">Half a thought</textarea>" in form
    # the button without JavaScript saves and comes back to the form
    reply = post(client, f"/tokens/{mint}/discussions/drafts",
                 {"draft_key": f"discussion:{mint}", "title": "Whole title", "body": "b",
                  "back": f"/tokens/{mint}/discussions/new"})
    assert reply.status_code == 302 and reply.headers["Location"] == f"/tokens/{mint}/discussions/new"
    start_discussion(client, mint, "Whole title", "Whole thought")
    with app.app_context():
        assert db.session.scalar(select(Draft).where(Draft.user_id == member_id(app, keypair))) is None
    assert post(client, f"/tokens/{mint}/discussions/drafts", {"draft_key": "nonsense", "body": "x"},
                htmx=True).status_code == 400


def test_token_page_lists_the_hottest_discussions_the_same_for_everyone(app, client, auth) -> None:
    mint = make_token(app)
    auth.sign_in()
    for index in range(7):
        start_discussion(client, mint, f"Community topic {index}")
    page = client.get(f"/tokens/{mint}").get_data(as_text=True)
    assert page.count("Community topic") == 5
    assert f'href="/tokens/{mint}/discussions"' in page and f'href="/tokens/{mint}/discussions/new"' in page
    csrf(client)  # the signed-in page still works


def test_members_mentioned_in_a_new_discussion_are_told_where(app, client, auth, make_user) -> None:
    mint = make_token(app)
    mentioned = make_user()
    wallet = str(mentioned.pubkey())
    auth.sign_in()
    location = start_discussion(client, mint, "Calling the team", f"@{wallet} and @ghost, thoughts?")
    with app.app_context():
        from webapp.models import Notification

        [note] = db.session.scalars(select(Notification)).all()
        assert note.user_id == member_id(app, mentioned) and note.kind == "mention" and note.url == location
        body = db.session.scalars(select(Post.body_html)).one()
    assert f'href="/u/{wallet}"' in body and "@ghost" in body and body.count("<a ") == 1
    assert client.get(note.url).status_code == 200


def test_signed_out_visitors_share_one_copy_of_the_page_and_members_see_their_own(app, client, auth, make_user) -> None:
    mint = make_token(app)
    ids = build_tree(app, member_id(app, make_user()), mint, [("a", None)])
    location = f"/tokens/{mint}/discussions/{ids['discussion']}-big-thread"
    app.config["DISCUSSION_PAGE_CACHE_SECONDS"] = 60
    try:
        visitor = app.test_client()
        first = visitor.get(location)
        assert first.status_code == 200 and "Set-Cookie" not in first.headers
        assert '<meta name="csrf-token" content="">' in first.get_data(as_text=True)
        with app.app_context():
            db.session.execute(Post.__table__.update().where(Post.id == ids["a"]).values(body_html="<p>changed</p>"))
            db.session.commit()
        assert visitor.get(location).get_data() == first.get_data()  # the shared copy, for a minute
        assert "<p>changed</p>" in visitor.get(f"{location}?order=new").get_data(as_text=True)  # another copy
        assert visitor.get(f"/tokens/{mint}/discussions/{ids['discussion']}").status_code == 301
        auth.sign_in()
        mine = client.get(location).get_data(as_text=True)
        assert "<p>changed</p>" in mine and '<meta name="csrf-token" content="">' not in mine
    finally:
        app.config.pop("DISCUSSION_PAGE_CACHE_SECONDS")
