"""Live hub tests: two gunicorn web processes (the project's gunicorn.conf.py, gevent workers)
on the test database and Redis, and small WebSocket clients."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import websockets
import websockets.sync.client
from flask import Flask
from redis import Redis
from simple_websocket import Client
from websockets.typing import Origin

# The browser test's fixtures (a werkzeug server in this process, Chromium).
from tests.e2e.conftest import browser, live_server, page, screenshot  # noqa: F401

ROOT = Path(__file__).resolve().parents[3]
HEARTBEAT_SECONDS = 0.5
SEND_QUEUE = 8
MAX_CONNECTIONS = 12
MAX_PER_USER = 3
STATS_SECONDS = 0.25


@dataclass
class WebProcess:
    """One gunicorn master with one gevent worker."""

    port: int
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/ws"

    @property
    def worker_pid(self) -> int:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text().split()
        assert len(children) == 1, children
        return int(children[0])

    def report(self, redis: Redis) -> dict[str, object] | None:
        """This worker's latest live report in Redis (None until it has had a connection)."""
        raw = redis.get(f"momentum:live:process:{socket.gethostname()}:{self.worker_pid}")
        return json.loads(raw) if raw else None

    def wait_for(self, redis: Redis, predicate, timeout: float = 10.0) -> dict[str, object]:
        deadline = time.monotonic() + timeout
        report = None
        while time.monotonic() < deadline:
            report = self.report(redis)
            if report is not None and predicate(report):
                return report
            time.sleep(0.05)
        raise AssertionError(f"the report never matched; last: {report}")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_web_process(app: Flask, folder: Path) -> WebProcess:
    port = free_port()
    env = dict(os.environ)
    env.update(
        DATABASE_URL=str(app.config["SQLALCHEMY_DATABASE_URI"]),
        REDIS_URL=str(app.config["REDIS_URL"]),
        SECRET_KEY=str(app.config["SECRET_KEY"]),
        BIND=f"127.0.0.1:{port}",
        WEB_CONCURRENCY="1",
        LOG_LEVEL="WARNING",
        PROMETHEUS_MULTIPROC_DIR=str(folder / f"metrics-{port}"),
        LIVE_HEARTBEAT_SECONDS=str(HEARTBEAT_SECONDS),
        LIVE_SEND_QUEUE=str(SEND_QUEUE),
        LIVE_MAX_CONNECTIONS=str(MAX_CONNECTIONS),
        LIVE_MAX_PER_USER=str(MAX_PER_USER),
        LIVE_STATS_SECONDS=str(STATS_SECONDS),
    )
    log = folder / f"gunicorn-{port}.log"
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "tests.integration.live.probe_app:app"],
        cwd=ROOT, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT,
    )
    web = WebProcess(port, process, log)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited: {log.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(web.url + "/health", timeout=1) as reply:
                if reply.status == 200:
                    return web
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"gunicorn did not start: {log.read_text()[-2000:]}")


@pytest.fixture(scope="session")
def web_processes(app: Flask, tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[WebProcess]]:
    folder = tmp_path_factory.mktemp("web")
    webs = [start_web_process(app, folder) for _ in range(2)]
    yield webs
    for web in webs:
        web.process.terminate()
    for web in webs:
        try:
            web.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            web.process.kill()


@pytest.fixture()
def redis(app: Flask) -> Redis:
    return Redis.from_url(str(app.config["REDIS_URL"]))


WELCOME = "<!-- live: "


def connect(url: str, topics: str, cookie: str | None = None, origin: str | None = None) -> Client:
    """A client that has been greeted, i.e. registered on the server and subscribed in Redis."""
    headers = {}
    if cookie:
        headers["Cookie"] = cookie
    if origin:
        headers["Origin"] = origin
    client = Client.connect(f"{url}?topics={topics}", headers=headers)
    greeting = client.receive(timeout=5)
    assert isinstance(greeting, str) and greeting.startswith(WELCOME), greeting
    return client


def refusal(url: str, topics: str, cookie: str | None = None, origin: str | None = None) -> tuple[int, str]:
    """The close code and reason of a connection the server refuses.

    (websockets, not simple_websocket: the latter loses a close frame that arrives with the handshake.)
    """
    headers = {"Cookie": cookie} if cookie else {}
    with websockets.sync.client.connect(f"{url}?topics={topics}", additional_headers=headers,
                                        origin=Origin(origin) if origin else None) as client:
        try:
            message = client.recv(timeout=5)
        except websockets.ConnectionClosed as closed:
            assert closed.rcvd is not None, "closed without a close frame"
            return closed.rcvd.code, closed.rcvd.reason
    raise AssertionError(f"the connection was accepted: {message!r}")


def receive_all(client: Client, count: int, timeout: float = 5.0) -> list[str]:
    got: list[str] = []
    deadline = time.monotonic() + timeout
    while len(got) < count:
        message = client.receive(timeout=max(0.01, deadline - time.monotonic()))
        if message is None:
            break
        got.append(message)
    return got


def session_cookie(client) -> str:
    """The Flask test client's session cookie, for a WebSocket handshake to gunicorn."""
    cookie = client.get_cookie("session")
    assert cookie is not None, "not signed in"
    return f"session={cookie.value}"
