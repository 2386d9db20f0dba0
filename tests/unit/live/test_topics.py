"""Topic names and who may follow them."""
from __future__ import annotations

import pytest

from webapp.live.topics import (
    MAX_TOPICS,
    TopicError,
    dom_id,
    is_cursor,
    may_follow,
    parse_topic,
    parse_topics,
    token_topic,
    user_topic,
)

MINT = "So11111111111111111111111111111111111111112"


@pytest.mark.parametrize(
    "name", ["global", "tokens", f"token:{MINT}", "user:1", "battle:42", "bounty:9007199254740993", " global "]
)
def test_known_topics(name: str) -> None:
    assert parse_topic(name) == name.strip()


@pytest.mark.parametrize(
    "name",
    ["", None, "Global", "global:1", "token:", "token:0OIl" + "1" * 40, f"token:{MINT}x" + "1" * 10, "user:0",
     "user:01", "user:-3", "user:1.5", "battle:x", "bounty:", "user:1 ", "users:1", "token:" + MINT + ",global"],
)
def test_unknown_topics(name: str | None) -> None:
    if name == "user:1 ":  # surrounding blanks are trimmed, not an error
        assert parse_topic(name) == "user:1"
        return
    with pytest.raises(TopicError):
        parse_topic(name)


def test_topic_lists_are_deduplicated_in_order_and_bounded() -> None:
    assert parse_topics(f"global, token:{MINT},global,,") == ["global", f"token:{MINT}"]
    with pytest.raises(TopicError, match="at least one"):
        parse_topics(" , ")
    with pytest.raises(TopicError, match=f"at most {MAX_TOPICS}"):
        parse_topics(",".join(f"battle:{n}" for n in range(1, MAX_TOPICS + 2)))


def test_a_members_topic_is_theirs_alone() -> None:
    assert may_follow("user:7", 7)
    assert not may_follow("user:7", 8)
    assert not may_follow("user:7", None)
    assert may_follow("global", None) and may_follow(f"token:{MINT}", None) and may_follow("battle:1", None)
    assert user_topic(7) == "user:7" and token_topic(MINT) == f"token:{MINT}"


def test_dom_ids_and_cursors() -> None:
    assert dom_id(f"token:{MINT}") == f"token-{MINT}"
    assert is_cursor("1700000000000-0") and is_cursor("0-0")
    assert not is_cursor("1700000000000") and not is_cursor("a-b") and not is_cursor("") and not is_cursor(None)
