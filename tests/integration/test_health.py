"""Health checks and metrics against the real PostgreSQL and Redis."""
from __future__ import annotations

import socket

import pytest


def test_liveness(client) -> None:
    assert client.get("/health").get_json() == {"status": "ok"}


def test_database_and_redis_are_checked(client) -> None:
    for path, name in (("/health/db", "database"), ("/health/redis", "redis")):
        reply = client.get(path)
        body = reply.get_json()
        assert reply.status_code == 200, body
        assert body["status"] == "ok" and body["check"] == name and body["latency_ms"] >= 0


def test_redis_down_is_503(app) -> None:
    from redis import Redis

    saved = app.extensions["momentum_redis"]
    app.extensions["momentum_redis"] = Redis(host="127.0.0.1", port=_closed_port(), socket_connect_timeout=0.5)
    try:
        reply = app.test_client().get("/health/redis")
    finally:
        app.extensions["momentum_redis"] = saved
    assert reply.status_code == 503 and reply.get_json()["status"] == "fail"


def test_solana_not_configured_is_503(app, client, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(app.config, "SOLANA_RPC_URLS", [])  # whatever an earlier test left there
    reply = client.get("/health/solana")
    assert reply.status_code == 503
    assert "not configured" in reply.get_json()["detail"]


def test_solana_unreachable_endpoint_is_reported(app) -> None:
    url = f"http://127.0.0.1:{_closed_port()}/?api-key=secret"
    app.config["SOLANA_RPC_URLS"] = [url]
    app.extensions.pop("momentum_solana", None)
    try:
        reply = app.test_client().get("/health/solana")
    finally:
        app.config["SOLANA_RPC_URLS"] = []
        app.extensions.pop("momentum_solana", None)
    body = reply.get_json()
    assert reply.status_code == 503 and body["status"] == "fail"
    assert body["endpoints"][0]["ok"] is False
    assert "secret" not in str(body)


def test_metrics_count_requests_by_endpoint(client) -> None:
    client.get("/health")
    client.get("/tokens/")
    text = client.get("/metrics").get_data(as_text=True)
    assert 'momentum_http_requests_total{endpoint="/health",method="GET",status="200"}' in text
    assert 'momentum_http_request_duration_seconds_bucket{endpoint="/tokens/",le="0.005",method="GET"}' in text
    assert 'momentum_dependency_up{dependency="database"} 1.0' in text
    assert 'momentum_dependency_up{dependency="redis"} 1.0' in text


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
