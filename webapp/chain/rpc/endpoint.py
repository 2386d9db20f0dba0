"""One RPC endpoint: its pooled HTTP connection, breaker and health figures."""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx
import orjson

from webapp.chain.rpc.breaker import CircuitBreaker

# JSON-RPC errors that say "this node, now" rather than "this request": try elsewhere.
TRANSIENT_RPC_CODES = frozenset({-32005, -32014, -32016})


class TransientFailure(Exception):
    """The endpoint failed in a way another endpoint (or a later try) may not."""

    def __init__(self, kind: str, detail: str, *, backoff: bool = True) -> None:
        super().__init__(f"{kind}: {detail}")
        self.kind = kind
        self.backoff = backoff


def redact(url: str) -> str:
    """The URL without query or credentials: provider URLs carry API keys there."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


@dataclass
class Reply:
    payload: Any
    raw: bytes
    latency: float


class Endpoint:
    def __init__(self, url: str, position: int, *, timeout: float, breaker: CircuitBreaker,
                 pool_size: int = 20) -> None:
        self.url = url
        self.name = redact(url)
        self.position = position
        self.breaker = breaker
        self.http = httpx.Client(
            timeout=httpx.Timeout(timeout, connect=min(timeout, 3.0)),
            limits=httpx.Limits(max_connections=pool_size, max_keepalive_connections=pool_size),
            headers={"Content-Type": "application/json"},
        )
        self.latency_ewma: float | None = None
        self.lagging = False
        self.last_error: str | None = None

    def post(self, body: bytes) -> Reply:
        """POST one JSON-RPC body; TransientFailure for anything that is the endpoint's fault."""
        started = time.perf_counter()
        try:
            response = self.http.post(self.url, content=body)
        except httpx.TimeoutException as exc:
            raise TransientFailure("timeout", str(exc) or type(exc).__name__) from None
        except httpx.TransportError as exc:
            raise TransientFailure("connect", str(exc) or type(exc).__name__, backoff=False) from None
        latency = time.perf_counter() - started
        if response.status_code == 429:
            raise TransientFailure("http_429", "rate limited")
        if response.status_code >= 500:
            raise TransientFailure(f"http_{response.status_code}", response.text[:200])
        if response.status_code != 200:
            raise TransientFailure(f"http_{response.status_code}", response.text[:200], backoff=False)
        try:
            payload = orjson.loads(response.content)
        except orjson.JSONDecodeError:
            raise TransientFailure("bad_json", response.text[:200]) from None
        self._observe(latency)
        return Reply(payload, response.content, latency)

    def _observe(self, latency: float) -> None:
        self.latency_ewma = latency if self.latency_ewma is None else 0.8 * self.latency_ewma + 0.2 * latency

    def rank(self) -> tuple[int, int, int]:
        """Sort key: healthiest first; configuration order breaks ties so the primary stays primary.

        A failure or two do not demote an endpoint (its breaker opening does): the
        primary keeps being tried until its breaker opens, and is back once it closes.
        """
        state_rank = {"closed": 0, "half_open": 1, "open": 2}[self.breaker.state]
        return state_rank, int(self.lagging), self.position

    def close(self) -> None:
        self.http.close()
