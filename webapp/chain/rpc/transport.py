"""JSON-RPC over several endpoints: retries with backoff and jitter, breakers, failover, metrics."""
from __future__ import annotations

import itertools
import logging
import random
import time
from collections.abc import Callable, Sequence
from typing import Any

import orjson
from prometheus_client import CollectorRegistry

from webapp.chain.rpc.breaker import CircuitBreaker
from webapp.chain.rpc.endpoint import TRANSIENT_RPC_CODES, Endpoint, Reply, TransientFailure
from webapp.chain.rpc.errors import SolanaRpcError, SolanaUnavailable
from webapp.chain.rpc.metrics import RpcMetrics, rpc_metrics

log = logging.getLogger(__name__)


class FailoverTransport:
    def __init__(
        self,
        urls: Sequence[str],
        *,
        timeout: float = 10.0,
        max_attempts: int = 4,
        backoff_base: float = 0.1,
        backoff_cap: float = 2.0,
        failure_threshold: int = 3,
        reset_timeout: float = 10.0,
        registry: CollectorRegistry | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if not urls:
            raise ValueError("at least one Solana RPC URL is needed")
        self.endpoints = [
            Endpoint(url, position, timeout=timeout,
                     breaker=CircuitBreaker(failure_threshold=failure_threshold, reset_timeout=reset_timeout))
            for position, url in enumerate(urls)
        ]
        self.max_attempts = max(max_attempts, len(self.endpoints))
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self.metrics: RpcMetrics = rpc_metrics(registry)
        self._sleep = sleep
        self._ids = itertools.count(1)

    def _ordered(self) -> list[Endpoint]:
        return sorted(self.endpoints, key=Endpoint.rank)

    def _next_endpoint(self, tried: set[int]) -> tuple[Endpoint | None, bool]:
        """(endpoint, fresh): the healthiest not yet tried in this call, else the healthiest again."""
        ordered = self._ordered()
        for fresh in (True, False):
            for endpoint in ordered:
                # allow() claims a half-open trial, so ask only the endpoint about to be used.
                if (endpoint.position not in tried) == fresh and endpoint.breaker.allow():
                    return endpoint, fresh
        return None, False

    def _backoff(self, round_number: int) -> None:
        # Full jitter: spreads retries of many workers instead of synchronising them.
        delay = random.uniform(0, min(self.backoff_cap, self.backoff_base * (2 ** round_number)))
        self._sleep(delay)

    def call(self, method: str, params: list[Any] | None = None) -> Reply:
        """The reply of the first endpoint that answers; SolanaRpcError for a real RPC error."""
        body = orjson.dumps({"jsonrpc": "2.0", "id": next(self._ids), "method": method, "params": params or []})
        tried: set[int] = set()
        attempts: list[str] = []
        rounds = 0
        for attempt in range(self.max_attempts):
            endpoint, fresh = self._next_endpoint(tried)
            if endpoint is None:
                break
            if not fresh:
                self._backoff(rounds)
                rounds += 1
            elif attempt > 0:
                self.metrics.failovers.labels(method=method).inc()
            tried.add(endpoint.position)
            try:
                reply = self._attempt(endpoint, method, body)
            except TransientFailure as failure:
                attempts.append(f"{endpoint.name}: {failure}")
                continue
            return reply
        raise SolanaUnavailable(method, attempts)

    def _attempt(self, endpoint: Endpoint, method: str, body: bytes) -> Reply:
        labels = {"method": method, "endpoint": endpoint.name}
        try:
            reply = endpoint.post(body)
            error = reply.payload.get("error") if isinstance(reply.payload, dict) else None
            if isinstance(error, dict) and error.get("code") in TRANSIENT_RPC_CODES:
                raise TransientFailure(f"rpc_{error.get('code')}", str(error.get("message")))
        except TransientFailure as failure:
            self._failed(endpoint, labels, failure)
            raise
        self.metrics.latency.labels(**labels).observe(reply.latency)
        endpoint.breaker.record_success()
        endpoint.last_error = None
        self.metrics.set_breaker(endpoint.name, endpoint.breaker.state)
        if isinstance(error, dict):
            self.metrics.calls.labels(**labels, outcome="rpc_error").inc()
            self.metrics.errors.labels(**labels, kind=f"rpc_{error.get('code')}").inc()
            raise SolanaRpcError(method, int(error.get("code", 0)), str(error.get("message", "")),
                                 error.get("data"), endpoint.name)
        self.metrics.calls.labels(**labels, outcome="ok").inc()
        return reply

    def _failed(self, endpoint: Endpoint, labels: dict[str, str], failure: TransientFailure) -> None:
        endpoint.breaker.record_failure()
        endpoint.last_error = str(failure)
        self.metrics.calls.labels(**labels, outcome="transient_error").inc()
        self.metrics.errors.labels(**labels, kind=failure.kind).inc()
        self.metrics.set_breaker(endpoint.name, endpoint.breaker.state)
        log.warning("Solana RPC %s failed on %s: %s", labels["method"], endpoint.name, failure)

    def probe(self, endpoint: Endpoint) -> dict[str, Any]:
        """getHealth + getSlot on one endpoint, bypassing failover (for health reports)."""
        started = time.perf_counter()
        report: dict[str, Any] = {"url": endpoint.name, "ok": False, "latency_ms": None, "slot": None,
                                  "breaker": endpoint.breaker.state, "error": None}
        try:
            body = orjson.dumps([{"jsonrpc": "2.0", "id": 1, "method": "getHealth"},
                                 {"jsonrpc": "2.0", "id": 2, "method": "getSlot",
                                  "params": [{"commitment": "processed"}]}])
            replies = endpoint.post(body).payload
            by_id = {item.get("id"): item for item in replies} if isinstance(replies, list) else {}
            health, slot = by_id.get(1, {}), by_id.get(2, {})
            report["slot"] = slot.get("result")
            report["ok"] = health.get("result") == "ok"
            if not report["ok"]:
                report["error"] = str(health.get("error", "unhealthy"))
        except TransientFailure as failure:
            report["error"] = str(failure)
        # A probe is a call like any other: it feeds the breaker.
        if report["ok"]:
            endpoint.breaker.record_success()
        else:
            endpoint.breaker.record_failure()
        self.metrics.set_breaker(endpoint.name, endpoint.breaker.state)
        report["latency_ms"] = round((time.perf_counter() - started) * 1000, 1)
        return report

    def health(self, max_slot_lag: int = 150) -> list[dict[str, Any]]:
        """One report per endpoint; marks endpoints far behind the best slot as lagging."""
        reports = [self.probe(endpoint) for endpoint in self.endpoints]
        best = max((r["slot"] for r in reports if isinstance(r["slot"], int)), default=None)
        for endpoint, report in zip(self.endpoints, reports, strict=True):
            lag = best - report["slot"] if best is not None and isinstance(report["slot"], int) else None
            endpoint.lagging = lag is not None and lag > max_slot_lag
            report["slot_lag"] = lag
            report["breaker"] = endpoint.breaker.state
        return reports

    def close(self) -> None:
        for endpoint in self.endpoints:
            endpoint.close()
