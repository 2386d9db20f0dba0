"""One browser's WebSocket: a bounded outbox, heartbeats, and the loop that serves it.

Why not simple-websocket's `ws.send()`: it runs every message through
wsproto (and, when the browser offers it, a per-connection permessage-deflate
compressor of ~134 KB), and a write to a client that stopped reading blocks
the writer. Here the hub builds each WebSocket frame once per broadcast
(server frames are unmasked, so every client gets the same bytes) and offers
it to each connection: written at once when the socket buffer has room,
queued otherwise; a client whose queue is full is dropped and reconnects.
simple-websocket still does the handshake, reads the client's frames, answers
its pings and records pongs (`ws.pong_received`), and wakes us through
`ws.event` — attributes of simple-websocket 1.1, pinned in requirements.txt.
"""
from __future__ import annotations

import socket
import threading
import time
from collections import deque
from dataclasses import dataclass, field

PING_FRAME = b"\x89\x00"


def text_frame(text: str) -> bytes:
    """An unmasked, unfragmented WebSocket text frame (RFC 6455 §5.2)."""
    payload = text.encode()
    size = len(payload)
    if size < 126:
        header = bytes((0x81, size))
    elif size < 1 << 16:
        header = bytes((0x81, 126)) + size.to_bytes(2, "big")
    else:
        header = bytes((0x81, 127)) + size.to_bytes(8, "big")
    return header + payload


def send_now(sock: socket.socket, data: bytes) -> int:
    """Write what the kernel takes without waiting; 0 when the socket buffer is full."""
    try:
        if type(sock).__module__.startswith("gevent"):
            return sock.send(data, 0, timeout=0.0)  # type: ignore[call-arg]  # gevent's send takes a timeout
        return sock.send(data, socket.MSG_DONTWAIT)
    except BlockingIOError:
        return 0


@dataclass
class Counters:
    """What a web process has done since it started (read by the stats reporter)."""

    received: int = 0
    sent: int = 0
    dropped: dict[str, int] = field(default_factory=dict)
    refused: dict[str, int] = field(default_factory=dict)

    def count(self, table: dict[str, int], reason: str) -> None:
        table[reason] = table.get(reason, 0) + 1


class Subscriber:
    """One open WebSocket and the topics it follows."""

    def __init__(self, ws, topics: list[str], user_id: int | None, address: str, queue_limit: int,
                 counters: Counters) -> None:
        self.ws = ws
        self.sock: socket.socket = ws.sock
        self.topics = topics
        self.user_id = user_id
        self.address = address
        self.queue_limit = queue_limit
        self.counters = counters
        self.outbox: deque[bytes] = deque()
        self.dropped: str | None = None
        self.sending_since: float | None = None
        self._writing = threading.Lock()
        try:  # a pushed fragment must not wait (Nagle) for the ACK of the one before it
            self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:
            pass  # not TCP (tests use socket pairs)

    def offer(self, frame: bytes) -> bool:
        """Called by the hub for each broadcast; never waits. False when this client is too far behind."""
        if self.dropped or not self.ws.connected:
            return True
        if not self.outbox and self._writing.acquire(blocking=False):
            try:
                if not self.outbox:
                    written = send_now(self.sock, frame)
                    if written == len(frame):
                        self.counters.sent += 1
                    else:  # the rest goes first, before any other frame
                        self.outbox.append(frame[written:])
                        self.ws.event.set()
                    return True
            except OSError:
                self.drop("gone")
                return True
            finally:
                self._writing.release()
        if len(self.outbox) >= self.queue_limit:
            return False
        self.outbox.append(frame)
        self.ws.event.set()
        return True

    def write(self, frame: bytes) -> None:
        """Write a frame, waiting for the client if need be (only this connection's greenlet waits)."""
        with self._writing:
            self._send(frame)

    def flush(self) -> None:
        """Send what the hub queued, oldest first (popped under the lock, so nothing overtakes it)."""
        while self.outbox and not self.dropped:
            with self._writing:
                if not self.outbox:
                    return
                self._send(self.outbox.popleft())
                self.counters.sent += 1

    def _send(self, frame: bytes) -> None:
        self.sending_since = time.monotonic()
        self.sock.sendall(frame)
        self.sending_since = None

    def close(self, code: int, message: str) -> None:
        """A clean close with a code the browser sees (htmx reconnects on 1011-1013)."""
        if not self._writing.acquire(timeout=1.0):
            self.drop("stuck")  # a write has hung: no room for a goodbye either
            return
        try:
            self.ws.close(reason=code, message=message)
        finally:
            self._writing.release()

    def drop(self, reason: str) -> None:
        """Cut the connection without a goodbye: its buffers are full. The browser reconnects."""
        if self.dropped:
            return
        self.dropped = reason
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.ws.event.set()

    def stuck_for(self, now: float) -> float:
        started = self.sending_since
        return now - started if started is not None else 0.0


def serve(subscriber: Subscriber, heartbeat: float) -> str:
    """Push queued frames and heartbeat pings until the client leaves; returns why it ended."""
    ws = subscriber.ws
    next_ping = time.monotonic() + heartbeat
    while ws.connected and not subscriber.dropped:
        ws.event.wait(timeout=max(0.0, next_ping - time.monotonic()))
        ws.event.clear()
        ws.input_buffer.clear()  # browsers have nothing to say on this socket
        try:
            subscriber.flush()
            if time.monotonic() >= next_ping and ws.connected and not subscriber.dropped:
                if not ws.pong_received:
                    subscriber.close(1011, "heartbeat timeout")
                    return "heartbeat"
                ws.pong_received = False
                subscriber.write(PING_FRAME)
                next_ping = time.monotonic() + heartbeat
        except OSError:
            return subscriber.dropped or "gone"
    return subscriber.dropped or "closed"
