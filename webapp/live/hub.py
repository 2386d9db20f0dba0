"""The per-process hub: who is connected to which topic, and one Redis subscriber.

Each web process has one Hub (in `app.extensions`), created and started
lazily by the first WebSocket, never at import. Its listener thread (a
greenlet under gunicorn's gevent worker) receives every published fragment
from Redis pub/sub and offers it to the process's own subscribers of that
topic; its housekeeping thread drops connections stuck in a write and reports
the process's figures (Redis, with a TTL, and Prometheus). Without REDIS_URL
the hub keeps the history itself and `publish` delivers directly.
"""
from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections import Counter
from dataclasses import dataclass
from typing import Any

from flask import Flask
from redis import Redis
from redis.exceptions import RedisError

from webapp.live import history, stats
from webapp.live.connection import Counters, Subscriber, serve, text_frame
from webapp.live.history import Entry, LocalHistory
from webapp.live.topics import TopicError, dom_id, may_follow, parse_topics, topic_kind

log = logging.getLogger("momentum.live")
EXTENSION_KEY = "momentum_live_hub"

# Close codes: htmx's ws extension reconnects (with jittered back-off) on 1011-1013 only.
POLICY_VIOLATION = 1008
TRY_AGAIN_LATER = 1013


class Refused(Exception):
    """A connection the hub will not serve, with the close code and reason the client sees."""

    def __init__(self, code: int, reason: str, counter: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason
        self.counter = counter


@dataclass(frozen=True)
class Limits:
    max_connections: int
    per_user: int
    per_ip: int
    send_queue: int
    heartbeat: float
    stats_seconds: float
    history_length: int
    history_ttl: int

    @classmethod
    def from_config(cls, config: Any) -> Limits:
        return cls(
            max_connections=int(config.get("LIVE_MAX_CONNECTIONS", 10000)),
            per_user=int(config.get("LIVE_MAX_PER_USER", 20)),
            per_ip=int(config.get("LIVE_MAX_PER_IP", 500)),
            send_queue=int(config.get("LIVE_SEND_QUEUE", 64)),
            heartbeat=float(config.get("LIVE_HEARTBEAT_SECONDS", 30)),
            stats_seconds=float(config.get("LIVE_STATS_SECONDS", 5)),
            history_length=int(config.get("LIVE_HISTORY_LENGTH", history.DEFAULT_LENGTH)),
            history_ttl=int(config.get("LIVE_HISTORY_TTL_SECONDS", history.DEFAULT_TTL_SECONDS)),
        )


def hub_for(app: Flask) -> Hub:
    """This process's hub for `app` (created on first use; nothing starts until a socket opens)."""
    hub = app.extensions.get(EXTENSION_KEY)
    return hub if hub is not None else app.extensions.setdefault(EXTENSION_KEY, Hub(app))


class Hub:
    def __init__(self, app: Flask) -> None:
        self.app = app
        self.limits = Limits.from_config(app.config)
        self.redis_url = str(app.config.get("REDIS_URL") or "")
        self.local = None if self.redis_url else LocalHistory(self.limits.history_length)
        self.process = f"{socket.gethostname()}:{os.getpid()}"
        self.counters = Counters()
        self.by_topic: dict[str, set[Subscriber]] = {}
        self.by_user: Counter[int] = Counter()
        self.by_address: Counter[str] = Counter()
        self.connections = 0
        self.last_cursor: dict[str, str] = {}
        self.last_report: stats.ProcessReport | None = None
        self._lock = threading.Lock()
        self._started = False
        self._ready = threading.Event()

    # Connections -----------------------------------------------------------

    def admit(self, ws, topics: str | None, *, user_id: int | None, address: str, same_origin: bool) -> Subscriber:
        """Register a new connection, or raise Refused (counted) saying why not."""
        try:
            subscriber = self._admit(ws, topics, user_id, address, same_origin)
        except Refused as refusal:
            self.counters.count(self.counters.refused, refusal.counter)
            stats.REFUSED.labels(refusal.counter).inc()
            raise
        self.start()
        return subscriber

    def _admit(self, ws, topics: str | None, user_id: int | None, address: str, same_origin: bool) -> Subscriber:
        if not same_origin:
            raise Refused(POLICY_VIOLATION, "cross-origin connections are not allowed", "cross_origin")
        try:
            names = parse_topics(topics)
        except TopicError as error:
            raise Refused(POLICY_VIOLATION, str(error)[:120], "bad_topic") from None
        for name in names:
            if not may_follow(name, user_id):
                raise Refused(POLICY_VIOLATION, f"not allowed to follow {name}", "forbidden")
        limits = self.limits
        with self._lock:
            if self.connections >= limits.max_connections:
                raise Refused(TRY_AGAIN_LATER, "server full, try again later", "full")
            if user_id is not None and self.by_user[user_id] >= limits.per_user:
                raise Refused(TRY_AGAIN_LATER, "too many connections for this member", "user_limit")
            if self.by_address[address] >= limits.per_ip:
                raise Refused(TRY_AGAIN_LATER, "too many connections from this address", "ip_limit")
            subscriber = Subscriber(ws, names, user_id, address, limits.send_queue, self.counters)
            self.connections += 1
            self.by_address[address] += 1
            if user_id is not None:
                self.by_user[user_id] += 1
            for name in names:
                self.by_topic.setdefault(name, set()).add(subscriber)
        stats.connection_opened(names)
        return subscriber

    def remove(self, subscriber: Subscriber, reason: str) -> None:
        with self._lock:
            self.connections -= 1
            self._forget(self.by_address, subscriber.address)
            if subscriber.user_id is not None:
                self._forget(self.by_user, subscriber.user_id)
            for name in subscriber.topics:
                followers = self.by_topic.get(name)
                if followers is not None:
                    followers.discard(subscriber)
                    if not followers:
                        del self.by_topic[name]
                        self.last_cursor.pop(name, None)
        if reason not in ("closed", "gone"):
            self.counters.count(self.counters.dropped, reason)
            stats.DROPPED.labels(reason).inc()
        stats.connection_closed(subscriber.topics)

    @staticmethod
    def _forget(counter: Counter[Any], key: object) -> None:
        counter[key] -= 1
        if counter[key] <= 0:
            del counter[key]

    def serve(self, subscriber: Subscriber) -> None:
        """Greet the client (an HTML comment htmx ignores), then push until it leaves."""
        reason = "gone"
        try:
            subscriber.write(text_frame(f"<!-- live: {','.join(subscriber.topics)} -->"))
            reason = serve(subscriber, self.limits.heartbeat)
        except OSError:
            reason = subscriber.dropped or "gone"
        finally:
            self.remove(subscriber, reason)

    def subscribers(self) -> list[Subscriber]:
        with self._lock:
            return list({s for followers in self.by_topic.values() for s in followers})

    def close_all(self, code: int = 1012, message: str = "service restart") -> int:
        """Close every connection cleanly (1012: browsers reconnect, to another process if this one goes)."""
        everyone = self.subscribers()
        for subscriber in everyone:
            try:
                subscriber.close(code, message)
            except Exception as error:  # noqa: BLE001 - shutting down: one dead socket must not keep the rest open
                log.debug("live: closing a connection failed (already gone?): %s", error)
            subscriber.ws.event.set()
        return len(everyone)

    # Messages ----------------------------------------------------------------

    def deliver(self, topic: str, entry: Entry) -> None:
        """Offer one published fragment to this process's followers of `topic`; never waits."""
        self.counters.received += 1
        with self._lock:
            followers = list(self.by_topic.get(topic, ()))
            if followers:
                self.last_cursor[topic] = entry.cursor
        if not followers:
            return
        frame = text_frame(entry.html + self._cursor_marker(topic, entry.cursor))
        for subscriber in followers:
            if not subscriber.offer(frame):
                subscriber.drop("slow")

    def _cursor_marker(self, topic: str, cursor: str) -> str:
        template = self.app.jinja_env.get_template("live/_cursor.html")
        return template.render(topic_dom=dom_id(topic), cursor=cursor, oob=True)

    def publish_locally(self, topic: str, html: str) -> str:
        assert self.local is not None, "publish_locally is for a hub without Redis"
        entry = self.local.append(topic, html)
        self.deliver(topic, entry)
        return entry.cursor

    # Background work -----------------------------------------------------------

    def start(self, wait: float = 5.0) -> None:
        """Start the listener and housekeeping once; the first caller waits until Redis confirms."""
        if not self._started:
            with self._lock:
                starting = not self._started
                self._started = True
            if starting:
                if self.redis_url:
                    threading.Thread(target=self._listen, name="live-listener", daemon=True).start()
                else:
                    self._ready.set()
                threading.Thread(target=self._housekeep, name="live-housekeeping", daemon=True).start()
        self._ready.wait(wait)

    def _listen(self) -> None:
        client = Redis.from_url(self.redis_url, health_check_interval=30)
        subscribed_before = False
        while True:
            pubsub = client.pubsub()
            try:
                pubsub.psubscribe(history.CHANNEL_PATTERN)
                while True:
                    message = pubsub.get_message(timeout=5.0)
                    if message is None:
                        continue
                    if message["type"] == "psubscribe":
                        if subscribed_before:
                            self._fill_gap(client)
                        subscribed_before = True
                        self._ready.set()
                    elif message["type"] == "pmessage":
                        self.deliver(*history.decode(message["channel"], message["data"]))
            except RedisError as error:
                log.warning("live listener lost Redis, reconnecting", extra={"fields": {"error": str(error)}})
                time.sleep(1.0)
            except Exception:  # keep the one listener of this process alive whatever happens
                log.exception("live listener failed, restarting")
                time.sleep(1.0)
            finally:
                pubsub.close()

    def _fill_gap(self, client: Redis) -> None:
        """After a Redis reconnect, deliver what was published while we were away."""
        with self._lock:
            missed_since = dict(self.last_cursor)
        for topic, cursor in missed_since.items():
            for entry in history.since(client, topic, cursor, self.limits.history_length):
                self.deliver(topic, entry)

    def _housekeep(self) -> None:
        client = Redis.from_url(self.redis_url) if self.redis_url else None
        reporter = stats.Reporter(self)
        while True:
            time.sleep(self.limits.stats_seconds)
            try:
                self._drop_stuck()
                report = self.last_report = reporter.report()
                if client is not None:
                    stats.write_report(client, report, ttl=max(3 * self.limits.stats_seconds, 5.0))
            except Exception:  # a report lost is not worth a dead housekeeper
                log.exception("live housekeeping failed")

    def _drop_stuck(self) -> None:
        """A write that has waited longer than a heartbeat is a client that stopped reading."""
        now = time.monotonic()
        for subscriber in self.subscribers():
            if subscriber.stuck_for(now) > self.limits.heartbeat:
                subscriber.drop("stuck")

    def topic_counts(self) -> dict[str, int]:
        with self._lock:
            return {name: len(followers) for name, followers in self.by_topic.items()}

    def kinds(self) -> Counter[str]:
        counts: Counter[str] = Counter()
        for name, followers in self.topic_counts().items():
            counts[topic_kind(name)] += followers
        return counts
