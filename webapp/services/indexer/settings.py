"""Indexer and listener settings: app config when set, else the environment, else a default."""
from __future__ import annotations

import os
from urllib.parse import urlsplit, urlunsplit

from flask import current_app

DEFAULTS: dict[str, float] = {
    "INDEXER_BACKFILL_LIMIT": 0,          # max signatures backfilled for a newly followed address (0: all)
    "INDEXER_SEED_HOLDERS": 1,            # read every token account of a mint when it is tracked
    "LISTENER_REFRESH_SECONDS": 3,        # re-read tracked mints and platform wallets
    "LISTENER_BACKFILL_SECONDS": 30,      # gap check: page signatures since each checkpoint
    "LISTENER_HEARTBEAT_SECONDS": 3,
    "LISTENER_STATUS_TTL_SECONDS": 15,
    "LISTENER_MAX_BACKOFF_SECONDS": 30,
    "INDEXER_FINALITY_SECONDS": 10,       # how often confirmed transactions are re-checked
    "INDEXER_RECONCILE_SECONDS": 3600,    # how often holders are compared with the chain
}


def setting(name: str) -> float:
    value = current_app.config.get(name)
    if value is None:
        value = os.environ.get(name)
    return float(DEFAULTS[name] if value in (None, "") else value)


def ws_urls(rpc_urls: list[str], configured: str | None) -> list[str]:
    """SOLANA_WS_URL (comma-separated), else one derived per RPC URL: http→ws, and 8899→8900 locally."""
    if configured:
        return [url.strip() for url in configured.split(",") if url.strip()]
    return [derive_ws_url(url) for url in rpc_urls]


def derive_ws_url(rpc_url: str) -> str:
    parts = urlsplit(rpc_url)
    scheme = {"http": "ws", "https": "wss"}.get(parts.scheme, parts.scheme)
    netloc = parts.netloc
    if parts.port is not None and parts.hostname in ("127.0.0.1", "localhost", "0.0.0.0"):
        netloc = f"{parts.hostname}:{parts.port + 1}"  # solana-test-validator: PubSub on the RPC port + 1
    return urlunsplit((scheme, netloc, parts.path, parts.query, parts.fragment))
