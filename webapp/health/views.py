"""Liveness, dependency checks and Prometheus metrics."""
from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify

from webapp.extensions import app_object, csrf, limiter, redis_client, solana_client
from webapp.observability import metrics_response
from webapp.services import health
from webapp.services.health import Check

bp = Blueprint("health", __name__)
csrf.exempt(bp)
limiter.exempt(bp)


def _answer(check: Check) -> tuple[Response, int]:
    return jsonify(check.as_json()), 200 if check.ok else 503


@bp.get("/health")
def liveness() -> Response:
    """The process is up and serving."""
    return jsonify(status="ok")


@bp.get("/health/db")
def database() -> tuple[Response, int]:
    """PostgreSQL answers a query."""
    return _answer(health.check_database())


@bp.get("/health/redis")
def redis() -> tuple[Response, int]:
    """Redis answers PING."""
    return _answer(health.check_redis(redis_client()))


@bp.get("/health/solana")
def solana() -> tuple[Response, int]:
    """Every configured Solana RPC endpoint's getHealth."""
    urls = list(current_app.config["SOLANA_RPC_URLS"])
    return _answer(health.check_solana(urls, solana_client() if urls else None))


@bp.get("/metrics")
def metrics() -> Response:
    """Prometheus text format."""
    return metrics_response(app_object())
