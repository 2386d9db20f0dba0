"""Short-lived caching of rendered public fragments in Redis.

A token page's body (figures, chart, trades, holders) is the same for every
visitor; rendering it costs a dozen queries and thousands of template lines.
Kept for a couple of seconds it is at most that stale, and live fragments
update open pages anyway. Session-specific parts (nav, CSRF token) are never cached.
"""
from __future__ import annotations

import logging
from collections.abc import Callable

from redis.exceptions import RedisError

from webapp.extensions import redis_client

log = logging.getLogger("momentum.cache")
PREFIX = "momentum:page:"


def cached_text(key: str, ttl_seconds: int, render: Callable[[], str]) -> str:
    """`render()`'s text, from Redis when a fresh copy is there (plain str: the caller decides what is safe HTML)."""
    redis = redis_client()
    if redis is None or ttl_seconds <= 0:
        return str(render())
    try:
        hit = redis.get(PREFIX + key)
    except RedisError as error:
        log.warning("page cache unavailable: %s", error)
        return str(render())
    if hit is not None:
        return hit.decode()
    html = str(render())
    try:
        redis.set(PREFIX + key, html.encode(), ex=ttl_seconds)
    except RedisError as error:
        log.warning("page cache unavailable: %s", error)
    return html
