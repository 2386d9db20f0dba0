"""gunicorn settings for Momentum's web process.

gevent workers hold many WebSocket connections per process (one greenlet each,
instead of two OS threads with gthread). The app is NOT preloaded: psycopg
chooses its wait function when imported, and importing it after gevent has
patched the standard library is what keeps a slow query from blocking every
other greenlet in the worker.
"""
import os
import shutil
from pathlib import Path

bind = os.environ.get("BIND", "127.0.0.1:5000")
worker_class = "gevent"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
# gunicorn's default of 1,000 would make connection 1,001 hang.
worker_connections = int(os.environ.get("WORKER_CONNECTIONS", "10000"))
preload_app = False
timeout = 30
graceful_timeout = 10
keepalive = 5
accesslog = None  # the app writes one JSON line per request itself
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
# psycopg's poll-based wait cooperates with gevent's patched select.
os.environ.setdefault("PSYCOPG_WAIT_FUNC", "wait_poll")

_metrics_dir = Path(os.environ.setdefault(
    "PROMETHEUS_MULTIPROC_DIR", str(Path(__file__).resolve().parent / "instance" / "prometheus")
))


def on_starting(server):  # type: ignore[no-untyped-def]
    """Each start begins with empty per-process metric files."""
    shutil.rmtree(_metrics_dir, ignore_errors=True)
    _metrics_dir.mkdir(parents=True, exist_ok=True)


def child_exit(server, worker):  # type: ignore[no-untyped-def]
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
