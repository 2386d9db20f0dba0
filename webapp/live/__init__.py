"""The live hub: `publish(topic, html)` from anywhere, pushed to every web process's WebSockets.

    from webapp import live
    live.publish(live.token_topic(mint), live.render_transaction(signature=…, label=…, …))

Inside an app context (a view, or an RQ job that pushed one) the app's Redis
is used; outside one, pass `redis=` a Redis client or URL (e.g. the RQ job's
`get_current_job().connection`). Without REDIS_URL the hub runs in this
process. Topics: `global`, `token:<mint>`, `user:<id>`, `battle:<id>`,
`bounty:<id>` (see topics.py); fragments: fragments.py.
"""
from __future__ import annotations

import logging

from flask import current_app, has_app_context
from redis import Redis
from redis.exceptions import RedisError

from webapp.extensions import app_object, redis_client
from webapp.live import history, stats
from webapp.live.fragments import (
    render_card_figures,
    render_market_data,
    render_notice,
    render_notification,
    render_token_created,
    render_token_figures,
    render_transaction,
    render_user_activity,
    transaction_view,
)
from webapp.live.history import Entry
from webapp.live.hub import hub_for
from webapp.live.topics import DIRECTORY, GLOBAL, TopicError, parse_topic, token_topic, user_topic

__all__ = [
    "DIRECTORY", "GLOBAL", "TopicError", "broadcast_notice", "latest_cursor", "missed", "overview", "publish",
    "render_card_figures", "render_market_data", "render_notice", "render_notification",
    "render_token_created", "render_token_figures", "render_transaction", "render_user_activity", "token_topic",
    "transaction_view", "user_topic",
]

MAX_FRAGMENT_BYTES = 256 * 1024
log = logging.getLogger("momentum.live")


def publish(topic: str, html: str, *, redis: Redis | str | None = None) -> str:
    """Send a rendered fragment to every follower of `topic` in every web process; returns its cursor."""
    topic = parse_topic(topic)
    if len(html.encode()) > MAX_FRAGMENT_BYTES:
        raise ValueError(f"A live fragment is at most {MAX_FRAGMENT_BYTES} bytes.")
    config = current_app.config if has_app_context() else {}
    length = int(config.get("LIVE_HISTORY_LENGTH", history.DEFAULT_LENGTH))
    ttl = int(config.get("LIVE_HISTORY_TTL_SECONDS", history.DEFAULT_TTL_SECONDS))
    if isinstance(redis, str):
        with Redis.from_url(redis) as client:
            return history.publish(client, topic, html, length=length, ttl=ttl)
    if redis is not None:
        return history.publish(redis, topic, html, length=length, ttl=ttl)
    if not has_app_context():
        raise RuntimeError("live.publish needs an app context or redis=<client or URL>.")
    client = redis_client()
    if client is None:
        return hub_for(app_object()).publish_locally(topic, html)
    return history.publish(client, topic, html, length=length, ttl=ttl)


def missed(topic: str, after: str) -> list[Entry]:
    """What `topic` published after cursor `after`, oldest first (for a page catching up)."""
    limit = int(current_app.config.get("LIVE_HISTORY_LENGTH", history.DEFAULT_LENGTH))
    client = redis_client()
    if client is None:
        local = hub_for(app_object()).local
        return local.since(topic, after, limit) if local else []
    return history.since(client, topic, after, limit)


def latest_cursor(topic: str) -> str:
    """The cursor a freshly rendered page starts from; empty when Redis cannot say."""
    client = redis_client()
    try:
        if client is None:
            local = hub_for(app_object()).local
            return local.latest(topic) if local else history.FIRST_CURSOR
        return history.latest(client, topic)
    except RedisError as error:
        log.warning("live cursor unavailable", extra={"fields": {"topic": topic, "error": str(error)}})
        return ""


def overview() -> stats.Overview:
    """Every web process's latest figures (only this one's without Redis)."""
    client = redis_client()
    if client is not None:
        return stats.overview(stats.read_reports(client))
    report = hub_for(app_object()).last_report
    return stats.overview([report] if report else [])


def broadcast_notice(actor, topic: str, text: str, *, ip_address: str | None = None) -> str:
    """Publish a notice from the team to `topic` and audit it; the caller commits."""
    from webapp.services import audit

    topic = parse_topic(topic)
    audit.record(actor, "live.broadcast", target_type="topic", target_id=topic, details={"notice": text},
                 ip_address=ip_address)
    return publish(topic, render_notice(text))
