"""One slow or dead client never holds up the others; a full process refuses cleanly."""
from __future__ import annotations

import base64
import os
import socket
import threading
import time

from tests.integration.live.conftest import HEARTBEAT_SECONDS, MAX_CONNECTIONS, connect, receive_all, refusal
from webapp.live import history


def raw_client(port: int, topics: str) -> socket.socket:
    """A WebSocket client that shakes hands and then never reads again, nor answers pings."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect(("127.0.0.1", port))
    key = base64.b64encode(os.urandom(16)).decode()
    sock.sendall(
        f"GET /ws?topics={topics} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
        f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n".encode()
    )
    reply = b""
    while b"\r\n\r\n" not in reply:
        reply += sock.recv(1)  # byte by byte: leave every frame unread
    assert reply.startswith(b"HTTP/1.1 101"), reply
    return sock


def test_a_stalled_client_is_dropped_and_does_not_delay_the_others(app, web_processes, redis) -> None:
    web = web_processes[0]
    stalled = raw_client(web.port, "global")
    reader = connect(web.ws_url, "global")
    padding = "x" * 64_000
    count = 100
    published: dict[int, float] = {}
    received: dict[int, float] = {}

    def read() -> None:
        for message in receive_all(reader, count, timeout=15):
            number = int(message.split('data-n="', 1)[1].split('"', 1)[0])
            received[number] = time.monotonic()

    thread = threading.Thread(target=read)
    thread.start()
    try:
        for number in range(count):
            published[number] = time.monotonic()
            history.publish(redis, "global", f'<p id="n" data-n="{number}">{padding}</p>', length=10)
        thread.join(timeout=20)
        assert sorted(received) == list(range(count)), f"missing {set(range(count)) - set(received)}"
        delays = [received[n] - published[n] for n in range(count)]
        assert max(delays) < 1.0, f"slowest delivery {max(delays):.3f}s"
        report = web.wait_for(redis, lambda r: r["dropped"].get("slow", 0) >= 1)
        assert report["connections"] == 1
    finally:
        reader.close()
        stalled.close()


def test_heartbeats_remove_dead_connections(app, web_processes, redis) -> None:
    web = web_processes[1]
    alive = connect(web.ws_url, "global")  # simple_websocket answers pings by itself
    web.wait_for(redis, lambda r: r["connections"] == 1)
    dead = raw_client(web.port, "global")
    try:
        web.wait_for(redis, lambda r: r["connections"] == 2)
        started = time.monotonic()
        report = web.wait_for(redis, lambda r: r["connections"] == 1, timeout=10 * HEARTBEAT_SECONDS)
        assert time.monotonic() - started <= 4 * HEARTBEAT_SECONDS + 1
        assert report["dropped"].get("heartbeat", 0) >= 1
        time.sleep(3 * HEARTBEAT_SECONDS)
        history.publish(redis, "global", '<p id="still-here">still here</p>')
        assert "still here" in receive_all(alive, 1)[0]
    finally:
        alive.close()
        dead.close()


def test_a_full_process_refuses_cleanly_and_recovers(app, web_processes, redis) -> None:
    web = web_processes[1]
    clients = [connect(web.ws_url, "global")]
    web.wait_for(redis, lambda r: r["connections"] == 1)  # earlier tests' clients are gone
    clients += [connect(web.ws_url, "global") for _ in range(MAX_CONNECTIONS - 1)]
    try:
        assert refusal(web.ws_url, "global") == (1013, "server full, try again later")
        clients.pop().close()
        web.wait_for(redis, lambda r: r["connections"] == MAX_CONNECTIONS - 1)
        clients.append(connect(web.ws_url, "global"))
        web.wait_for(redis, lambda r: r["refused"].get("full", 0) >= 1 and r["connections"] == MAX_CONNECTIONS)
    finally:
        for client in clients:
            client.close()
