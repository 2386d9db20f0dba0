"""Where published fragments go: a capped Redis stream per topic plus pub/sub.

Publishing is one Lua call, so a fragment is in the topic's history (with its
cursor, the stream id) before any web process pushes it: a page that catches
up after a reconnect can never miss a fragment that was pushed. Without Redis
the same history lives in the web process (`LocalHistory`).
"""
from __future__ import annotations

import threading
import time
from collections import deque
from dataclasses import dataclass

from redis import Redis
from redis.exceptions import RedisError
from redis.typing import StreamEntry

from webapp.live.topics import cursor_key

CHANNEL_PREFIX = "momentum:live:topic:"
CHANNEL_PATTERN = CHANNEL_PREFIX + "*"
HISTORY_PREFIX = "momentum:live:history:"
DEFAULT_LENGTH = 200
DEFAULT_TTL_SECONDS = 86400
FIRST_CURSOR = "0-0"

# KEYS: history stream, channel. ARGV: max length, ttl, html.
_PUBLISH = """
local cursor = redis.call('XADD', KEYS[1], 'MAXLEN', ARGV[1], '*', 'html', ARGV[3])
redis.call('EXPIRE', KEYS[1], ARGV[2])
redis.call('PUBLISH', KEYS[2], cursor .. '\\n' .. ARGV[3])
return cursor
"""


@dataclass(frozen=True)
class Entry:
    cursor: str
    html: str


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


def _entry(row: StreamEntry) -> Entry:
    """One XRANGE row. Only XCLAIM answers entries without an id or fields, so such a row is a broken reply."""
    cursor, fields = row
    if cursor is None or fields is None:
        raise RedisError("XRANGE answered an entry without an id or fields")
    return Entry(_text(cursor), _text(fields[b"html"] if b"html" in fields else fields["html"]))


def publish(redis: Redis, topic: str, html: str, *, length: int = DEFAULT_LENGTH,
            ttl: int = DEFAULT_TTL_SECONDS) -> str:
    """Append to the topic's history and announce it to every web process; returns the cursor."""
    cursor = redis.eval(_PUBLISH, 2, HISTORY_PREFIX + topic, CHANNEL_PREFIX + topic, length, ttl, html)
    return _text(cursor)


def since(redis: Redis, topic: str, after: str, limit: int = DEFAULT_LENGTH) -> list[Entry]:
    """Fragments published after `after`, oldest first."""
    rows = redis.xrange(HISTORY_PREFIX + topic, min=f"({after}", max="+", count=limit)
    return [_entry(row) for row in rows or []]


def latest(redis: Redis, topic: str) -> str:
    rows = redis.xrevrange(HISTORY_PREFIX + topic, max="+", min="-", count=1)
    return _entry(rows[0]).cursor if rows else FIRST_CURSOR


def decode(channel: bytes | str, data: bytes | str) -> tuple[str, Entry]:
    """A pub/sub message → (topic, entry)."""
    topic = _text(channel)[len(CHANNEL_PREFIX):]
    cursor, _, html = _text(data).partition("\n")
    return topic, Entry(cursor, html)


class LocalHistory:
    """The same history for a single process running without Redis."""

    def __init__(self, length: int = DEFAULT_LENGTH) -> None:
        self.length = length
        self._topics: dict[str, deque[Entry]] = {}
        self._last = (0, 0)
        self._lock = threading.Lock()

    def append(self, topic: str, html: str) -> Entry:
        with self._lock:
            now = int(time.time() * 1000)
            milliseconds, sequence = self._last
            self._last = (now, 0) if now > milliseconds else (milliseconds, sequence + 1)
            entry = Entry(f"{self._last[0]}-{self._last[1]}", html)
            self._topics.setdefault(topic, deque(maxlen=self.length)).append(entry)
            return entry

    def since(self, topic: str, after: str, limit: int = DEFAULT_LENGTH) -> list[Entry]:
        bound = cursor_key(after)
        with self._lock:
            entries = [e for e in self._topics.get(topic, ()) if cursor_key(e.cursor) > bound]
        return entries[:limit]

    def latest(self, topic: str) -> str:
        with self._lock:
            entries = self._topics.get(topic)
            return entries[-1].cursor if entries else FIRST_CURSOR
