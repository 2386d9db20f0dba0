"""Frames built once per broadcast, and a connection that never waits on a slow client."""
from __future__ import annotations

import time

import pytest

from tests.unit.live.conftest import read_frames
from webapp.live.connection import Counters, Subscriber, send_now, text_frame


@pytest.mark.parametrize("size", [0, 125, 126, 65_535, 65_536, 300_000])
def test_frames_decode_as_websocket_text(socket_pair, size: int) -> None:
    ws, browser = socket_pair
    text = ("é" * size)[:size] if size < 1000 else "x" * size
    frame = text_frame(text)
    assert frame[0] == 0x81  # FIN + text, unmasked as servers send
    import threading

    writer = threading.Thread(target=ws.sock.sendall, args=(frame,))
    writer.start()
    frames = read_frames(browser, timeout=0.5)
    writer.join()
    assert frames == [text]


def test_send_now_never_waits(socket_pair) -> None:
    ws, _browser = socket_pair
    ws.sock.setblocking(True)
    started = time.monotonic()
    written = [send_now(ws.sock, b"x" * 65536) for _ in range(50)]
    assert time.monotonic() - started < 0.5
    assert written[-1] == 0 and sum(written) > 0


def test_a_client_that_stops_reading_is_queued_then_refused(socket_pair) -> None:
    ws, browser = socket_pair
    counters = Counters()
    subscriber = Subscriber(ws, ["global"], None, "127.0.0.1", queue_limit=4, counters=counters)
    frames = [text_frame(f"<p>{n}</p>" + "x" * 1_500) for n in range(400)]
    accepted = []
    for frame in frames:
        if not subscriber.offer(frame):
            break
        accepted.append(frame)
    assert len(subscriber.outbox) == 4 and ws.event.is_set()
    # Written at once while the socket had room (the rest of a partly written frame goes first in the queue).
    assert 4 < len(accepted) < 400 and counters.sent == len(accepted) - 4

    # The browser reads again: the queue drains in order, nothing lost or interleaved.
    import threading

    drained = threading.Thread(target=subscriber.flush)
    drained.start()
    texts = read_frames(browser, timeout=0.5)
    drained.join()
    assert [t.split("</p>")[0] for t in texts] == [f"<p>{n}" for n in range(len(accepted))]


def test_a_dropped_client_is_cut_off(socket_pair) -> None:
    ws, browser = socket_pair
    subscriber = Subscriber(ws, ["global"], None, "127.0.0.1", queue_limit=4, counters=Counters())
    subscriber.drop("slow")
    assert subscriber.dropped == "slow" and ws.event.is_set()
    assert browser.recv(10) == b""  # the connection is shut
    assert subscriber.offer(text_frame("late")) is True and not subscriber.outbox
