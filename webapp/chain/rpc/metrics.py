"""Prometheus metrics of RPC calls: created lazily, once per registry, never at import."""
from __future__ import annotations

import threading
from dataclasses import dataclass

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Gauge, Histogram

_BREAKER_STATE_VALUES = {"closed": 0, "half_open": 1, "open": 2}
_by_registry: dict[int, RpcMetrics] = {}
_lock = threading.Lock()


@dataclass(frozen=True)
class RpcMetrics:
    calls: Counter
    errors: Counter
    latency: Histogram
    failovers: Counter
    breaker: Gauge

    def set_breaker(self, endpoint: str, state: str) -> None:
        self.breaker.labels(endpoint=endpoint).set(_BREAKER_STATE_VALUES.get(state, 0))


def rpc_metrics(registry: CollectorRegistry | None = None) -> RpcMetrics:
    """The metrics for `registry` (default: the process registry); several clients share them."""
    registry = REGISTRY if registry is None else registry
    with _lock:
        metrics = _by_registry.get(id(registry))
        if metrics is None:
            metrics = RpcMetrics(
                calls=Counter("solana_rpc_calls_total", "Solana RPC calls by method, endpoint and outcome",
                              ["method", "endpoint", "outcome"], registry=registry),
                errors=Counter("solana_rpc_errors_total", "Solana RPC errors by method, endpoint and kind",
                               ["method", "endpoint", "kind"], registry=registry),
                latency=Histogram("solana_rpc_latency_seconds", "Solana RPC call latency",
                                  ["method", "endpoint"], registry=registry,
                                  buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)),
                failovers=Counter("solana_rpc_failovers_total", "Calls moved to another endpoint after a failure",
                                  ["method"], registry=registry),
                breaker=Gauge("solana_rpc_breaker_state", "Circuit breaker: 0 closed, 1 half-open, 2 open",
                              ["endpoint"], registry=registry),
            )
            _by_registry[id(registry)] = metrics
        return metrics
