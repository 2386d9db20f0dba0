"""Real checks of the parts Momentum runs on, each with its latency."""
from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from redis import Redis
from sqlalchemy import text

from webapp.chain.rpc.client import SolanaRpcClient
from webapp.extensions import db


@dataclass
class Check:
    name: str
    ok: bool
    latency_ms: float = 0.0
    detail: str = ""
    extra: dict[str, object] = field(default_factory=dict)

    def as_json(self) -> dict[str, object]:
        body: dict[str, object] = {
            "status": "ok" if self.ok else "fail",
            "check": self.name,
            "latency_ms": round(self.latency_ms, 2),
        }
        if self.detail:
            body["detail"] = self.detail
        body.update(self.extra)
        return body


def _timed(name: str, probe: Callable[[], dict[str, object]]) -> Check:
    started = time.perf_counter()
    try:
        extra = probe()
    except Exception as exc:  # noqa: BLE001 - a health check reports any failure instead of raising
        return Check(name, False, (time.perf_counter() - started) * 1000, f"{type(exc).__name__}: {exc}")
    return Check(name, True, (time.perf_counter() - started) * 1000, extra=extra)


def check_database() -> Check:
    def probe() -> dict[str, object]:
        version = db.session.execute(text("SHOW server_version")).scalar_one()
        db.session.rollback()
        return {"server_version": version}

    return _timed("database", probe)


def check_redis(redis: Redis | None) -> Check:
    if redis is None:
        return Check("redis", False, detail="not configured (REDIS_URL is empty)")

    def probe() -> dict[str, object]:
        redis.ping()
        return {}

    return _timed("redis", probe)


def check_solana(rpc_urls: list[str], client: SolanaRpcClient | None = None) -> Check:
    """Every configured endpoint's health through the app's RPC client; ok when one answers."""
    if not rpc_urls or client is None:
        return Check("solana", False, detail="not configured (set SOLANA_RPC_URLS)")

    started = time.perf_counter()
    try:
        endpoints = client.health()
    except Exception as exc:  # noqa: BLE001 - a health check reports any failure instead of raising
        return Check("solana", False, (time.perf_counter() - started) * 1000, f"{type(exc).__name__}: {exc}")
    healthy = [endpoint for endpoint in endpoints if endpoint.get("ok")]
    return Check(
        "solana",
        bool(healthy),
        min((float(e.get("latency_ms") or 0) for e in healthy), default=(time.perf_counter() - started) * 1000),
        "" if healthy else "no endpoint is healthy",
        extra={"endpoints": endpoints},
    )
