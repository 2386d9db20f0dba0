"""Discussion page throughput: a 500-comment thread for a signed-out visitor vs hello-world Flask.

    .venv/bin/python -m webapp.embedded exec -- .venv/bin/python bench/discussion_page.py

One token, one discussion with 500 comments (100 top-level, replies up to
five levels deep, Markdown with code and quotes, reactions), five members who
hold the token. Both apps run under the project's gunicorn.conf.py, one after
the other, and wrk loads each with 50 connections for 15 s, three rounds; the
ratio of requests per second and each p99 are printed side by side. Data
lives in a scratch database `momentum_bench_discussion`.
"""
from __future__ import annotations

import os
import random
import statistics
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from solders.keypair import Keypair

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import token_page  # noqa: E402 - the bench folder is not a package on sys.path

token_page.DATABASE = "momentum_bench_discussion"
COMMENTS = 500
BODY = ("Staking **works** for me, see [the docs](https://example.org/docs).\n\n> quoted from above\n\n"
        "```\nflask chain simulate --rate 2\n```\n")


def seed(url: str) -> str:
    """The discussion's path (its URL) after writing the thread."""
    from flask_migrate import upgrade

    from webapp import create_app
    from webapp.extensions import db
    from webapp.models import Discussion, HolderAccount, Post, Token, User, path_segment
    from webapp.services.community.markdown import render

    rng = random.Random(5)
    mint = str(Keypair().pubkey())
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "LOG_LEVEL": "WARNING"})
    start = datetime.now(UTC) - timedelta(hours=6)
    html = render(BODY).html
    with app.app_context():
        upgrade()
        token = Token(mint=mint, name="Bench Token", symbol="BNCH", decimals=6, supply=10**15, supply_slot=0,
                      program="token", tier="wild_fires")
        members = [User(wallet=str(Keypair().pubkey()), display_name=f"member{i}") for i in range(5)]
        db.session.add_all([token, *members])
        db.session.flush()
        for member in members:
            db.session.add(HolderAccount(account=str(Keypair().pubkey()), mint=mint, owner=member.wallet,
                                         amount=rng.randint(10**9, 10**13), slot=1))
        discussion = Discussion(token_id=token.id, author_id=members[0].id, title="How do you stake BNCH?",
                                slug="how-do-you-stake-bnch", created_at=start, last_activity_at=start)
        db.session.add(discussion)
        db.session.flush()
        posts: list[Post] = []

        def add(parent: Post | None, minute: int) -> Post:
            post = Post(discussion_id=discussion.id, parent_id=parent.id if parent else None,
                        author_id=rng.choice(members).id, path="", depth=parent.depth + 1 if parent else 0,
                        body=BODY, body_html=html, created_at=start + timedelta(minutes=minute),
                        reaction_counts={"like": rng.randint(0, 9), "fire": rng.randint(0, 3)})
            db.session.add(post)
            db.session.flush()
            post.path = f"{parent.path}.{path_segment(post.id)}" if parent else path_segment(post.id)
            posts.append(post)
            return post

        opening = add(None, 0)
        for index in range(COMMENTS):
            if index < 100:
                parent = opening
            else:  # a reply to an earlier comment less than five levels deep
                parent = rng.choice([post for post in posts[1:] if post.depth < 5])
            add(parent, index + 1)
        for post in posts:  # counts as posting keeps them
            post.reply_count = sum(1 for child in posts if child.parent_id == post.id)
            post.descendant_count = sum(1 for other in posts if other.path.startswith(post.path + "."))
        discussion.comment_count = COMMENTS
        db.session.commit()
        return f"/tokens/{mint}/discussions/{discussion.id}-{discussion.slug}"


def main() -> None:
    url = token_page.scratch_database()
    path = seed(url)
    env = {**os.environ, "DATABASE_URL": url}
    check = token_page.serve("wsgi:app", 5101, env)
    try:
        reply = httpx.get(f"http://127.0.0.1:5101{path}")
        assert reply.status_code == 200 and reply.text.count("quoted from above") >= 20, "the thread did not render"
    finally:
        check.terminate()
        check.wait()
    print(f"{path} ({COMMENTS} comments), signed out; gunicorn.conf.py (gevent, 2 workers), wrk -t2 -c50 -d15s")
    ratios = []
    for round_number in range(1, token_page.ROUNDS + 1):
        page_rate, page_p99 = token_page.measure("wsgi:app", 5101, path, env)
        hello_rate, hello_p99 = token_page.measure("bench.hello_app:app", 5102, "/", env)
        ratios.append(page_rate / hello_rate)
        print(f"round {round_number}: discussion {page_rate:8,.0f} req/s  p99 {page_p99:6.1f} ms | "
              f"hello world {hello_rate:8,.0f} req/s  p99 {hello_p99:6.1f} ms | ratio {ratios[-1]:.2f}")
    print(f"median ratio discussion page / hello world over {token_page.ROUNDS} rounds: "
          f"{statistics.median(ratios):.2f}")


if __name__ == "__main__":
    main()
