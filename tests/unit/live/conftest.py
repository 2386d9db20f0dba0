"""Unit tests of the live hub: no PostgreSQL, no Redis (the hub runs in process)."""
from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import pytest
from flask import Flask


@pytest.fixture()
def offline_app() -> Flask:
    """The app with no Redis and a database it never connects to."""
    from webapp import create_app

    return create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://offline@/offline",
            "REDIS_URL": "",
            "RATELIMIT_STORAGE_URI": "memory://",
            "LIVE_MAX_CONNECTIONS": 3,
            "LIVE_MAX_PER_USER": 2,
            "LIVE_MAX_PER_IP": 2,
            "LIVE_SEND_QUEUE": 4,
            "LIVE_STATS_SECONDS": 60,
        }
    )


class SocketStandIn:
    """What the hub uses of a simple_websocket Server: its socket, its wake-up event, its state."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.event = threading.Event()
        self.connected = True
        self.pong_received = True
        self.input_buffer: list[object] = []
        self.closed_with: tuple[int, str] | None = None

    def close(self, reason: int | None = None, message: str | None = None) -> None:
        self.closed_with = (reason or 1000, message or "")
        self.connected = False


@pytest.fixture()
def socket_pair() -> Iterator[tuple[SocketStandIn, socket.socket]]:
    """(the server side as the hub sees it, the browser's end)."""
    server, browser = socket.socketpair()
    server.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
    browser.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    yield SocketStandIn(server), browser
    server.close()
    browser.close()


def read_frames(sock: socket.socket, timeout: float = 1.0) -> list[str]:
    """Decode the server's text frames from the browser's end with wsproto."""
    from wsproto import ConnectionType
    from wsproto.connection import Connection
    from wsproto.events import TextMessage

    connection = Connection(ConnectionType.CLIENT)
    sock.settimeout(timeout)
    texts: list[str] = []
    partial = ""
    try:
        while True:
            data = sock.recv(65536)
            if not data:
                break
            connection.receive_data(data)
            for event in connection.events():
                if isinstance(event, TextMessage):
                    partial += event.data
                    if event.message_finished:
                        texts.append(partial)
                        partial = ""
    except (TimeoutError, OSError):
        pass
    return texts
