"""Short-lived caching of rendered public pages: bodies in Redis, whole anonymous pages in process.

A token page's body (figures, chart, trades, holders) is the same for every
visitor; rendering it costs a dozen queries and thousands of template lines.
Kept for a couple of seconds it is at most that stale, and live fragments
update open pages anyway. A signed-in visitor's nav is never cached; the
whole page signed-out visitors see is, as one set of bytes they all share.
"""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from flask import copy_current_request_context, current_app, request, session
from flask_login import current_user
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


MAX_PAGES = 512
FIRST_COPY_WAIT_SECONDS = 10  # how long a request waits for another's first copy before rendering its own


@dataclass
class _AnonymousPages:
    """One app's copies (kept on the app, so every app and test starts empty)."""

    pages: dict[str, tuple[float, bytes]] = field(default_factory=dict)  # key -> (expires at, the page)
    # keys whose next copy is being rendered right now, with an event set when it is done
    rendering: dict[str, threading.Event] = field(default_factory=dict)


def sees_anonymous_page() -> bool:
    """Whether this request gets the page every visitor who is not signed in shares.

    Answered from the session cookie before Flask-Login loads anyone: no
    user id in the session and no remember-me cookie means not signed in.
    A visitor with a flash message waiting sees their own page.
    """
    if "_flashes" in session:
        return False
    remember_cookie = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token")
    if "_user_id" not in session and remember_cookie not in request.cookies:
        return True
    return not current_user.is_authenticated


def anonymous_page(key: str, ttl_seconds: int, render: Callable[[], str]) -> bytes:
    """A whole page for visitors who are not signed in, kept in this process for `ttl_seconds`.

    `render` draws it with `shared_page=True`: the same bytes for every such
    visitor, with no CSRF token and no session (sign-in takes its token from
    the challenge), so a hit sets no cookie and signs nothing. The live
    cursor in the page was read when its body was rendered, so a reconnect
    replays exactly what the page does not show yet. When a copy expires, the
    next copy is rendered in the background and every request, the one that
    noticed included, gets the old copy until it is ready: under the gevent
    worker a render interleaves its queries with every other connection of
    the process, so the request that rendered in line waited 380-650 ms on a
    busy site (BENCHMARKS.md). While the very first copy is rendered (a cold
    process under load), the others wait for it instead of each rendering
    their own. (threading is gevent's under the gevent worker: the refresh is
    a greenlet and a wait yields.)
    """
    if ttl_seconds <= 0:
        return str(render()).encode()
    store: _AnonymousPages = current_app.extensions.setdefault("momentum_anonymous_pages", _AnonymousPages())
    hit = store.pages.get(key)
    if hit is not None:
        if hit[0] <= time.monotonic() and key not in store.rendering:
            _refresh_in_background(store, key, ttl_seconds, render, hit[1])
        return hit[1]
    deadline = time.monotonic() + FIRST_COPY_WAIT_SECONDS
    while (first_copy := store.rendering.get(key)) is not None and time.monotonic() < deadline:
        first_copy.wait(deadline - time.monotonic())
        hit = store.pages.get(key)
        if hit is not None:
            return hit[1]
        # that render failed (an unknown mint, a lost database): the next waiter takes its turn
    done = store.rendering[key] = threading.Event()
    return _render_copy(store, key, ttl_seconds, render, done)


def _render_copy(store: _AnonymousPages, key: str, ttl_seconds: int, render: Callable[[], str],
                 done: threading.Event) -> bytes:
    """Render and store `key`'s next copy; `done` is set when it is stored or the render failed."""
    try:
        page = str(render()).encode()
        if len(store.pages) >= MAX_PAGES:
            store.pages.clear()
        store.pages[key] = (time.monotonic() + ttl_seconds, page)
    finally:
        if store.rendering.get(key) is done:
            del store.rendering[key]
        done.set()
    return page


def _refresh_in_background(store: _AnonymousPages, key: str, ttl_seconds: int, render: Callable[[], str],
                           current: bytes) -> None:
    """Render `key`'s next copy outside this request; until it is stored, everyone gets `current`."""
    done = store.rendering[key] = threading.Event()

    @copy_current_request_context
    def refresh() -> None:
        try:
            _render_copy(store, key, ttl_seconds, render, done)
        except Exception:  # an unknown mint now, a lost database: the old copy stays for another period
            log.exception("could not refresh the shared page %s", key)
            store.pages[key] = (time.monotonic() + ttl_seconds, current)

    threading.Thread(target=refresh, name=f"refresh {key}", daemon=True).start()
