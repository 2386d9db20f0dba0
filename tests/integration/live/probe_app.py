"""The Momentum app with two probes for the gevent tests: a slow query and a slow Redis call.

Served by gunicorn with the project's gunicorn.conf.py in tests/integration/live only.
"""
from __future__ import annotations

from flask import request
from sqlalchemy import text

from webapp import create_app
from webapp.extensions import db, redis_client

app = create_app()


def _seconds() -> float:
    return min(float(request.args.get("seconds", "0.5")), 2.0)


@app.get("/_probe/pg-sleep")
def pg_sleep() -> str:
    """SELECT pg_sleep(s) through the app's SQLAlchemy session."""
    db.session.execute(text("SELECT pg_sleep(:seconds)"), {"seconds": _seconds()})
    db.session.remove()
    return "slept"


@app.get("/_probe/redis-wait")
def redis_wait() -> str:
    """BLPOP on a list nobody pushes to, through the app's Redis client."""
    redis_client().blpop(["momentum:probe:never"], timeout=_seconds())
    return "waited"
