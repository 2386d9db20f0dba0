"""A demo challenge for `make run`: running now on the first demo launch, with entries in every state.

Written through the services members use (the team creates it, members
enter, a moderator reviews), so audit entries, pending rewards and
notifications are what the site would have made of them.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from flask import current_app
from sqlalchemy import select

from webapp.extensions import db
from webapp.models import Challenge, Role
from webapp.services.community import challenges

TITLE = "Meme week: draw the curve"
DESCRIPTION = ("Make a meme about the bonding curve filling up: a picture link or a short text.\n\n"
               "- one entry per member\n- accepted entries earn **500 points** and **1,000 tokens**\n"
               "- be original: copies are rejected")
# (member index, text, link, decision or None, reason)
ENTRIES = [
    (2, "The curve as a staircase: every step a new holder.", "https://example.org/memes/staircase", "accept", ""),
    (3, "Graduation day: the curve throws its cap in the air.", "", "accept", ""),
    (5, "A chart of my portfolio.", "", "reject", "Not about the curve: see the rules."),
    (1, "Vesting cliff, but make it a ski jump.", "https://example.org/memes/ski-jump", None, ""),
]
MODERATOR = 4  # eve.sol moderates the demo community


def seed_challenges(log: Callable[[str], object] = print) -> None:
    """Idempotent: a token that already has this challenge gets nothing added."""
    from webapp.services.community.demo_people import demo_community_token, named_demo_people

    people = named_demo_people()
    token = demo_community_token()
    if token is None or people is None or not challenges.can_create(people[0], token):
        log("demo challenge skipped: no demo launch or members yet")
        return
    if db.session.scalar(select(Challenge.id).where(Challenge.token_id == token.id, Challenge.title == TITLE)):
        log("demo challenge already there")
        return
    moderator = people[MODERATOR]
    if moderator.role == Role.MEMBER.value:
        moderator.role = Role.MODERATOR.value
        db.session.commit()
    now = datetime.now(UTC)
    draft = challenges.ChallengeDraft(title=TITLE, description=DESCRIPTION, starts_at=now - timedelta(days=1),
                                      ends_at=now + timedelta(days=6), reward_points=500,
                                      reward_token_amount=1_000 * 10**token.decimals)
    with current_app.test_request_context(current_app.config.get("SITE_URL") or "/"):
        challenge = challenges.create(people[0], token, draft)  # the launch's applicant: its team
        for index, text, link, decision, reason in ENTRIES:
            entry = challenges.submit_entry(people[index], challenge, text, link)
            if decision is not None:
                challenges.review_entry(moderator, entry, decision, reason)
    log(f"demo challenge running on {token.symbol or token.mint}")
