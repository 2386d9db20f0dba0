"""Demo discussions for `make run`: real threads a few levels deep on the demo tokens, with reactions.

Written through the same services members use, so counters, ranks,
mentions and notifications are what the site would have made of them.
"""
from __future__ import annotations

from collections.abc import Callable

from flask import current_app
from sqlalchemy import select

from webapp.extensions import db
from webapp.models import Discussion, Post
from webapp.services.community import discussions, posting, reactions

# (title, opening text, [(reply key, parent key or None, author index, text)], [(author index, reply key, kind)])
THREADS = [
    ("Where should the community fund go first?",
     "The fund holds its first tokens. Ideas so far: **a listing**, a _meme contest_, or a small hackathon.\n\n"
     "What would bring in people who stay?",
     [("a", None, 1, "A hackathon. Tools outlive memes, and builders bring their friends."),
      ("b", "a", 2, "Tools *and* memes: a meme contest costs little and the winners make great banners."),
      ("c", "b", 1, "Fair. Split it 70/30? @cyra would you run the meme side?"),
      ("d", "c", 2, "Deal. Rules in a pinned post by Friday."),
      ("e", "d", 4, "Count me in as a judge. Keep entries to one per member."),
      ("f", None, 3, "A listing first. Without volume nobody sees the rest."),
      ("g", "f", 5, "Listings come when the community is busy, not before. I'm with the hackathon."),
      ("h", None, 4, "Reminder: be kind in the threads. Disagree with ideas, not people. 🙂")],
     [(1, "opening", "fire"), (2, "opening", "rocket"), (3, "opening", "like"), (0, "a", "like"), (2, "a", "like"),
      (4, "c", "laugh"), (0, "d", "rocket"), (5, "f", "eyes"), (1, "h", "like")]),
    ("How does vesting unlock work here?",
     "The token page shows *cliff*, *duration* and *period*. Does the escrow release on its own, or does the team "
     "have to ask?",
     [("a", None, 1, "It releases on its own: the worker pays each unlock from the escrow when it is due."),
      ("b", "a", 5, "And the page says when the escrow was last checked on chain, so you can verify it."),
      ("c", "b", 0, "Nice, so `locked on chain` means the escrow holds at least the locked amount?"),
      ("d", "c", 1, "Exactly. If it ever held less, the badge turns red.")],
     [(0, "opening", "like"), (3, "a", "like"), (4, "a", "fire"), (2, "d", "like")]),
    ("Show your best chart screenshot",
     "Post a link to your favourite candle moment on the token page. Best one gets pinned.",
     [("a", None, 3, "The graduation candle, obviously: https://example.org/charts/graduation"),
      ("b", "a", 2, "That wick 😂"),
      ("c", None, 2, "Mine is quieter: the first hour of the curve, steady like a staircase.")],
     [(1, "a", "laugh"), (4, "a", "eyes"), (0, "c", "like")]),
]


def seed_discussions(log: Callable[[str], object] = print) -> None:
    """Idempotent: a token that already has discussions gets none added."""
    from webapp.services.community.demo_people import demo_community_token, named_demo_people

    people = named_demo_people()
    token = demo_community_token()
    if token is None or people is None:
        log("demo discussions skipped: no demo token or members yet")
        return
    if db.session.scalar(select(Discussion.id).where(Discussion.token_id == token.id).limit(1)) is not None:
        log("demo discussions already there")
        return
    with current_app.test_request_context(current_app.config.get("SITE_URL") or "/"):
        for title, text, replies, reacted in THREADS:
            discussion = discussions.start(people[0], token.mint, title, text)
            written = {"opening": discussions.opening_post(discussion)}
            for key, parent_key, author, body in replies:
                parent: Post = written[parent_key or "opening"]
                written[key] = posting.reply(people[author], discussion, parent.id, body)
            for author, key, kind in reacted:
                reactions.set_reaction(people[author], discussion, written[key].id, kind, True)
    log(f"demo discussions started on {token.symbol or token.mint}")
