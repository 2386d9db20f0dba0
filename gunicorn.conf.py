"""gunicorn settings for Momentum's web process.

gevent workers hold many WebSocket connections per process (one greenlet each,
instead of two OS threads with gthread). The app is NOT preloaded: psycopg
chooses its wait function when imported, and importing it after gevent has
patched the standard library is what keeps a slow query from blocking every
other greenlet in the worker.
"""
import gc
import os
import socket
import sys
from pathlib import Path

bind = os.environ.get("BIND", "127.0.0.1:5000")
worker_class = "gevent"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
# gunicorn's default of 1,000 would make connection 1,001 hang.
worker_connections = int(os.environ.get("WORKER_CONNECTIONS", "10000"))
preload_app = False
# Each worker listens on its own SO_REUSEPORT socket, so the kernel spreads new
# connections evenly. With one shared socket, whichever worker wakes first can
# take a whole burst of keep-alive connections and serve them alone on one core
# while the other idles (measured: half the throughput in one run out of four).
# (TCP only: on a unix socket every worker would replace the others' socket file.)
reuse_port = not os.environ.get("BIND", "").startswith("unix:")
# gunicorn answers request lines over this length itself, with a bare page;
# its default (4,094) turned a 5,000-character search into that page. This is
# gunicorn's maximum: the app answers anything longer than its own limit
# (webapp.security.MAX_REQUEST_TARGET, well below this) with the site's 414 page.
# 0 would mean no limit at all, and a request line held in memory unbounded.
limit_request_line = 8190
timeout = 30
graceful_timeout = 10
keepalive = 5
accesslog = None  # the app writes one JSON line per request itself
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
# psycopg's poll-based wait cooperates with gevent's patched select.
os.environ.setdefault("PSYCOPG_WAIT_FUNC", "wait_poll")

# An empty value means "not set": Path("") would be the working directory.
_metrics_dir = Path(
    os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    or Path(__file__).resolve().parent / "instance" / "prometheus"
)
os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(_metrics_dir)


def on_starting(server):  # type: ignore[no-untyped-def]
    """Refuse a port another server holds, and begin with empty per-process metric files.

    Only prometheus_client's *.db files are removed, never a folder, so a
    mistaken setting can cost at most stale metrics.
    """
    _refuse_a_taken_port(server)
    _metrics_dir.mkdir(parents=True, exist_ok=True)
    for stale in _metrics_dir.glob("*.db"):
        stale.unlink()


def _refuse_a_taken_port(server):  # type: ignore[no-untyped-def]
    """With SO_REUSEPORT a second server would silently share the port with
    the first (half the requests reaching old code); bind-test it without the
    flag first, so a taken port fails loudly as it would without reuse_port.
    SO_REUSEADDR lets the probe past connections still in TIME_WAIT from the
    last run; Linux refuses it only where something is listening. A re-exec
    (USR2) inherits its sockets from the running master and is not checked."""
    if not server.cfg.reuse_port or os.environ.get("GUNICORN_PID") or os.environ.get("LISTEN_FDS"):
        return
    for address in server.cfg.address:
        if not isinstance(address, tuple):
            continue  # a unix socket path
        family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind(address[:2])
            except OSError as error:
                server.log.error("Cannot listen on %s:%s: %s (is Momentum already running?)", *address[:2], error)
                sys.exit(1)


def send_headers_with_the_body() -> None:
    """gunicorn writes a response's headers and then its body: two sends, so two
    trips through the TCP stack for every page (a third of a cached page's CPU
    went to them). A body that is neither chunked nor cut short goes out in one
    send with its headers; every other case keeps gunicorn's own write."""
    from gunicorn import util
    from gunicorn.http import wsgi

    if getattr(wsgi.Response.write, "sends_headers_with_the_body", False):
        return
    separate_write = wsgi.Response.write

    def write(self, data):  # type: ignore[no-untyped-def]
        if (self.headers_sent or self.chunked or self._omits_body or not isinstance(data, bytes) or not data
                or (self.response_length is not None and len(data) > self.response_length)):
            return separate_write(self, data)
        lines = self.default_headers()
        lines.extend(f"{name}: {value}\r\n" for name, value in self.headers)
        self.headers_sent = True
        self.sent += len(data)
        util.write(self.sock, util.to_bytestring("".join(lines) + "\r\n", "latin-1") + data)
        return None

    write.sends_headers_with_the_body = True  # type: ignore[attr-defined]  # marks the patch so it applies once
    wsgi.Response.write = write


def post_worker_init(worker):  # type: ignore[no-untyped-def]
    """Objects alive after start-up (the app, templates, routes) are never
    garbage; freezing them keeps every collection from re-walking them."""
    send_headers_with_the_body()
    gc.freeze()


def post_request(worker, req, environ, resp):  # type: ignore[no-untyped-def]
    """Yield after each response so a keep-alive client whose next request is
    already buffered cannot starve the worker's other connections."""
    import gevent

    gevent.sleep(0)


def child_exit(server, worker):  # type: ignore[no-untyped-def]
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
