"""Topic names, who may follow them, and their forms in HTML ids.

A topic is `global`, `tokens` (the directory's cards), `token:<mint>`,
`user:<id>`, `battle:<id>`, `bounty:<id>` or `discussion:<id>`. Only the signed-in member
`<id>` may follow `user:<id>`; every other topic is public.
"""
from __future__ import annotations

import re

GLOBAL = "global"
DIRECTORY = "tokens"  # the tokens directory: each card's figures, moving with its trades
MAX_TOPICS = 16

_BASE58 = "1-9A-HJ-NP-Za-km-z"
_TOPIC = re.compile(
    rf"^(?:global|tokens|token:[{_BASE58}]{{32,44}}|(?:user|battle|bounty|discussion):[1-9][0-9]{{0,18}})$")
_CURSOR = re.compile(r"^[0-9]{1,20}-[0-9]{1,20}$")


class TopicError(ValueError):
    """A topic name (or list of them) that Momentum does not publish."""


def parse_topic(name: str | None) -> str:
    name = (name or "").strip()
    if not _TOPIC.match(name):
        shown = name[:60] or "(empty)"
        raise TopicError(
            f"Unknown topic {shown!r}: use global, tokens, token:<mint>, user:<id>, battle:<id>, bounty:<id> "
            "or discussion:<id>."
        )
    return name


def parse_topics(value: str | None) -> list[str]:
    """`global,token:<mint>` → ["global", "token:<mint>"]: deduplicated, in order, at most MAX_TOPICS."""
    names = [part for part in (value or "").split(",") if part.strip()]
    if not names:
        raise TopicError("Name at least one topic, e.g. ?topics=global.")
    topics = list(dict.fromkeys(parse_topic(name) for name in names))
    if len(topics) > MAX_TOPICS:
        raise TopicError(f"Follow at most {MAX_TOPICS} topics on one connection.")
    return topics


def topic_kind(topic: str) -> str:
    return topic.split(":", 1)[0]


def may_follow(topic: str, user_id: int | None) -> bool:
    """A member's own topic is theirs alone; everything else is public."""
    if topic_kind(topic) != "user":
        return True
    return user_id is not None and topic == user_topic(user_id)


def discussion_topic(discussion_id: int) -> str:
    return f"discussion:{int(discussion_id)}"


def user_topic(user_id: int) -> str:
    return f"user:{int(user_id)}"


def token_topic(mint: str) -> str:
    return parse_topic(f"token:{mint}")


def dom_id(topic: str) -> str:
    """`token:<mint>` → `token-<mint>`: usable in an id and a CSS selector without escaping."""
    return topic.replace(":", "-")


def is_cursor(value: str | None) -> bool:
    """History cursors are Redis stream ids: `<milliseconds>-<sequence>`."""
    return bool(value and _CURSOR.match(value))


def cursor_key(cursor: str) -> tuple[int, int]:
    milliseconds, sequence = cursor.split("-")
    return int(milliseconds), int(sequence)
