"""Structured JSON logs with a request id on every line, and Prometheus metrics."""
from __future__ import annotations

import functools
import logging
import os
import re
import secrets
import sys
import time
from contextvars import ContextVar

import orjson
from flask import Flask, Response, g, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import REGISTRY, GaugeMetricFamily

request_id_var: ContextVar[str] = ContextVar("request_id", default="-")
_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")

REQUESTS = Counter(
    "momentum_http_requests_total", "HTTP requests served", ["method", "endpoint", "status"]
)
LATENCY = Histogram(
    "momentum_http_request_duration_seconds",
    "HTTP request latency",
    ["method", "endpoint"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, object] = {
            "ts": self.formatTime(record, "%Y-%m-%dT%H:%M:%S") + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
            "request_id": request_id_var.get(),
        }
        line.update(getattr(record, "fields", {}))
        if record.exc_info:
            line["exc"] = self.formatException(record.exc_info)
        return orjson.dumps(line, default=str).decode()


def configure_logging(level: str) -> None:
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # One line per RPC call drowns everything else; failures are logged by the RPC client itself.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.Formatter.converter = time.gmtime


REQUEST_LOG_POLICIES = ("notable", "all", "off")
QUIET_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def request_is_notable(method: str, status: int, elapsed_ms: float, slow_ms: float) -> bool:
    """A write, an error, or a read slower than `slow_ms`: what someone reading the log looks for."""
    return method not in QUIET_METHODS or status >= 400 or elapsed_ms >= slow_ms


def init_request_tracking(app: Flask) -> None:
    log = logging.getLogger("momentum.http")
    policy = str(app.config.get("REQUEST_LOG", "notable")).lower()
    if policy not in REQUEST_LOG_POLICIES:
        raise ValueError(f"REQUEST_LOG must be one of {', '.join(REQUEST_LOG_POLICIES)}, not {policy!r}")
    slow_ms = float(app.config.get("REQUEST_LOG_SLOW_MS", 250))

    @app.before_request
    def start_request() -> None:
        incoming = request.headers.get("X-Request-ID", "")
        g.request_id = incoming if _VALID_REQUEST_ID.match(incoming) else secrets.token_hex(16)
        request_id_var.set(g.request_id)
        g.request_started = time.perf_counter()

    @app.after_request
    def finish_request(response: Response) -> Response:
        started = g.get("request_started")
        if started is None:
            return response
        elapsed = time.perf_counter() - started
        rule = request.url_rule
        endpoint = rule.rule if rule is not None else "unmatched"
        if endpoint != "/metrics":
            count, latency = _request_metrics(request.method, endpoint, response.status_code)
            count.inc()
            latency.observe(elapsed)
        response.headers["X-Request-ID"] = g.request_id
        if policy == "off" or not log.isEnabledFor(logging.INFO):
            return response
        elapsed_ms = elapsed * 1000
        if policy == "all" or request_is_notable(request.method, response.status_code, elapsed_ms, slow_ms):
            log.info(
                "request",
                extra={
                    "fields": {
                        "method": request.method,
                        "path": request.path,
                        "status": response.status_code,
                        "duration_ms": round(elapsed_ms, 2),
                        "remote": request.remote_addr,
                    }
                },
            )
        return response


@functools.lru_cache(maxsize=4096)
def _request_metrics(method: str, endpoint: str, status: int):
    """The labelled counter and histogram for one kind of request (labels() takes a lock and hashes each time)."""
    return REQUESTS.labels(method, endpoint, str(status)), LATENCY.labels(method, endpoint)


class DependencyHealthCollector:
    """Gauges read at scrape time: 1 when PostgreSQL / Redis answer, else 0."""

    def __init__(self, app: Flask) -> None:
        self.app = app

    def collect(self):
        from webapp.extensions import redis_client
        from webapp.services import health

        with self.app.app_context():
            checks = [health.check_database(), health.check_redis(redis_client())]
        up = GaugeMetricFamily("momentum_dependency_up", "Dependency answers its health check", labels=["dependency"])
        latency = GaugeMetricFamily(
            "momentum_dependency_latency_seconds", "Health check latency", labels=["dependency"]
        )
        for check in checks:
            up.add_metric([check.name], 1.0 if check.ok else 0.0)
            latency.add_metric([check.name], check.latency_ms / 1000)
        yield up
        yield latency


def metrics_response(app: Flask) -> Response:
    """Prometheus text; merges every gunicorn worker's figures when multiprocess mode is on."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    output = generate_latest(registry)
    dependency_registry = CollectorRegistry()
    dependency_registry.register(DependencyHealthCollector(app))
    output += generate_latest(dependency_registry)
    return Response(output, mimetype=CONTENT_TYPE_LATEST)
