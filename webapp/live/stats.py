"""Figures for operators: per-process reports in Redis (with a TTL) and Prometheus metrics.

Every web process writes its report every LIVE_STATS_SECONDS under its own
key, which expires when the process stops reporting, so /admin/live sees all
live processes and none of the dead ones. The Prometheus gauges use the
multiprocess modes, so /metrics sums (or lists per pid) across gunicorn workers.
"""
from __future__ import annotations

import json
import time
from collections import Counter as Tally
from dataclasses import asdict, dataclass, field
from functools import cache
from typing import TYPE_CHECKING

from prometheus_client import Counter, Gauge
from redis import Redis

from webapp.live.topics import topic_kind

if TYPE_CHECKING:
    from webapp.live.hub import Hub

REPORT_PREFIX = "momentum:live:process:"
INDEX_KEY = "momentum:live:processes"
TOP_TOPICS = 50

SUBSCRIPTIONS = Gauge(
    "momentum_live_subscriptions", "Live topic subscriptions by topic kind", ["kind"], multiprocess_mode="livesum"
)
RATE = Gauge(
    "momentum_live_messages_per_second",
    "Fragments per second: received from Redis, and frames sent to browsers",
    ["direction"],
    multiprocess_mode="livesum",
)
MESSAGES = Counter("momentum_live_messages_total", "Fragments received from Redis, frames sent to browsers",
                   ["direction"])
DROPPED = Counter("momentum_live_dropped_total", "Connections dropped: slow, stuck or heartbeat", ["reason"])
REFUSED = Counter("momentum_live_refused_total", "Connections refused: full, limits, topics", ["reason"])


@cache
def _connections() -> Gauge:
    """Made on first use: an unlabelled metric opens its multiprocess file when created, not at import."""
    return Gauge(
        "momentum_live_connections", "Open live WebSocket connections, per web process", multiprocess_mode="liveall"
    )


def connection_opened(topics: list[str]) -> None:
    _connections().inc()
    for topic in topics:
        SUBSCRIPTIONS.labels(topic_kind(topic)).inc()


def connection_closed(topics: list[str]) -> None:
    _connections().dec()
    for topic in topics:
        SUBSCRIPTIONS.labels(topic_kind(topic)).dec()


@dataclass
class ProcessReport:
    process: str
    connections: int
    topics: dict[str, int]
    topic_count: int
    received_per_second: float
    sent_per_second: float
    received: int
    sent: int
    dropped: dict[str, int] = field(default_factory=dict)
    refused: dict[str, int] = field(default_factory=dict)
    reported_at: float = 0.0

    @property
    def dropped_total(self) -> int:
        return sum(self.dropped.values())

    @property
    def refused_total(self) -> int:
        return sum(self.refused.values())

    @property
    def reported_ago(self) -> str:
        return f"{max(0, round(time.time() - self.reported_at))}s ago"


class Reporter:
    """Turns a hub's running counters into a report with rates since the previous one."""

    def __init__(self, hub: Hub) -> None:
        self.hub = hub
        self.previous = (time.monotonic(), 0, 0)

    def report(self) -> ProcessReport:
        counters = self.hub.counters
        now, received, sent = time.monotonic(), counters.received, counters.sent
        then, received_before, sent_before = self.previous
        elapsed = max(now - then, 1e-6)
        self.previous = (now, received, sent)
        MESSAGES.labels("received").inc(received - received_before)
        MESSAGES.labels("sent").inc(sent - sent_before)
        report = ProcessReport(
            process=self.hub.process,
            connections=self.hub.connections,
            topics=dict(Tally(self.hub.topic_counts()).most_common(TOP_TOPICS)),
            topic_count=len(self.hub.by_topic),
            received_per_second=round((received - received_before) / elapsed, 2),
            sent_per_second=round((sent - sent_before) / elapsed, 2),
            received=received,
            sent=sent,
            dropped=dict(counters.dropped),
            refused=dict(counters.refused),
            reported_at=time.time(),
        )
        RATE.labels("received").set(report.received_per_second)
        RATE.labels("sent").set(report.sent_per_second)
        return report


def write_report(redis: Redis, report: ProcessReport, ttl: float) -> None:
    key = REPORT_PREFIX + report.process
    with redis.pipeline(transaction=False) as pipe:
        pipe.set(key, json.dumps(asdict(report)), px=int(ttl * 1000))
        pipe.zadd(INDEX_KEY, {key: report.reported_at})
        pipe.zremrangebyscore(INDEX_KEY, "-inf", report.reported_at - 3600)
        pipe.execute()


def read_reports(redis: Redis) -> list[ProcessReport]:
    """Every live process's latest report, by process name."""
    keys = redis.zrange(INDEX_KEY, 0, -1)
    if not keys:
        return []
    names = [key for key in keys if isinstance(key, bytes | str)]  # members only: no WITHSCORES asked
    reports = [ProcessReport(**json.loads(raw)) for raw in redis.mget(names) if raw]
    return sorted(reports, key=lambda report: report.process)


@dataclass(frozen=True)
class Overview:
    """All processes together, for the admin page."""

    processes: list[ProcessReport]
    connections: int
    published_per_second: float  # every process receives every fragment: the busiest one's rate
    sent_per_second: float
    dropped: int
    refused: int
    topics: list[tuple[str, int]]


def overview(reports: list[ProcessReport]) -> Overview:
    topics: Tally[str] = Tally()
    for report in reports:
        topics.update(report.topics)
    return Overview(
        processes=reports,
        connections=sum(r.connections for r in reports),
        published_per_second=max((r.received_per_second for r in reports), default=0.0),
        sent_per_second=round(sum(r.sent_per_second for r in reports), 2),
        dropped=sum(r.dropped_total for r in reports),
        refused=sum(r.refused_total for r in reports),
        topics=topics.most_common(TOP_TOPICS),
    )
