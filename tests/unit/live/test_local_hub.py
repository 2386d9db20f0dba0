"""Without REDIS_URL the hub runs in process: publish, fan out, catch up, refuse."""
from __future__ import annotations

import socket
import time

import pytest

from tests.unit.live.conftest import SocketStandIn, read_frames
from webapp import live
from webapp.live.hub import Refused, hub_for
from webapp.live.topics import cursor_key


def admit(hub, topics: str, user_id: int | None = None, address: str = "10.0.0.1", same_origin: bool = True):
    server, browser = socket.socketpair()
    ws = SocketStandIn(server)
    return hub.admit(ws, topics, user_id=user_id, address=address, same_origin=same_origin), browser


def test_publish_fans_out_in_process_and_keeps_history(offline_app) -> None:
    hub = hub_for(offline_app)
    follower, follower_end = admit(hub, "global,battle:3")
    stranger, stranger_end = admit(hub, "bounty:1", address="10.0.0.2")
    with offline_app.app_context():
        first = live.publish("global", '<p id="one">one</p>')
        second = live.publish("battle:3", '<p id="two">two</p>')
        assert cursor_key(first) < cursor_key(second)
        assert [e.html for e in live.missed("global", "0-0")] == ['<p id="one">one</p>']
        assert live.missed("global", first) == []
        assert live.latest_cursor("battle:3") == second and live.latest_cursor("bounty:1") == "0-0"
    frames = read_frames(follower_end, timeout=0.3)
    assert len(frames) == 2
    assert frames[0].startswith('<p id="one">one</p>')
    assert f'id="live-cursor-global" name="after" value="{first}" hx-swap-oob="true"' in frames[0]
    assert f'id="live-cursor-battle-3" name="after" value="{second}"' in frames[1]
    assert read_frames(stranger_end, timeout=0.1) == []
    assert hub.counters.received == 2 and hub.connections == 2
    for subscriber in (follower, stranger):
        hub.remove(subscriber, "closed")
    assert hub.connections == 0 and hub.by_topic == {} and not hub.by_address


@pytest.mark.parametrize(
    "topics, user_id, same_origin, code, counter",
    [
        ("user:5", None, True, 1008, "forbidden"),
        ("user:5", 6, True, 1008, "forbidden"),
        ("nothing", None, True, 1008, "bad_topic"),
        ("global", None, False, 1008, "cross_origin"),
    ],
)
def test_refusals_say_why(offline_app, topics, user_id, same_origin, code, counter) -> None:
    hub = hub_for(offline_app)
    with pytest.raises(Refused) as refused:
        admit(hub, topics, user_id=user_id, same_origin=same_origin)
    assert refused.value.code == code and hub.counters.refused == {counter: 1}
    assert hub.connections == 0


def test_limits_per_process_member_and_address(offline_app) -> None:
    hub = hub_for(offline_app)  # LIVE_MAX_CONNECTIONS 3, per member 2, per address 2
    admit(hub, "user:5", user_id=5, address="10.0.0.1")
    admit(hub, "user:5", user_id=5, address="10.0.0.2")
    with pytest.raises(Refused, match="too many connections for this member"):
        admit(hub, "global", user_id=5, address="10.0.0.3")
    admit(hub, "global", address="10.0.0.1")
    with pytest.raises(Refused, match="server full") as full:
        admit(hub, "global", address="10.0.0.9")
    assert full.value.code == 1013
    assert hub.counters.refused == {"user_limit": 1, "full": 1}


def test_per_address_limit(offline_app) -> None:
    hub = hub_for(offline_app)
    admit(hub, "global", address="10.0.0.1")
    admit(hub, "global", address="10.0.0.1")
    with pytest.raises(Refused, match="from this address"):
        admit(hub, "global", address="10.0.0.1")


def test_a_slow_follower_is_dropped_and_the_others_still_get_everything(offline_app) -> None:
    hub = hub_for(offline_app)  # LIVE_SEND_QUEUE 4
    slow, _never_read = admit(hub, "global", address="10.0.0.1")
    fast, fast_end = admit(hub, "global", address="10.0.0.2")
    fast_end.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
    import threading

    received: list[str] = []
    reader = threading.Thread(target=lambda: received.extend(read_frames(fast_end, timeout=0.5)))
    reader.start()
    published = threading.Event()

    def serve_fast_follower() -> None:  # what its connection greenlet does
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not fast.dropped and not (published.is_set() and not fast.outbox):
            fast.ws.event.wait(0.02)
            fast.ws.event.clear()
            fast.flush()

    drain = threading.Thread(target=serve_fast_follower)
    drain.start()
    with offline_app.app_context():
        for n in range(60):
            live.publish("global", f'<p id="n{n}">{n}</p>' + "x" * 4000)
            # pace the publisher to the fast follower (as its greenlet would be), so only the
            # follower that never reads falls behind, however busy the machine is
            pace_until = time.monotonic() + 2
            while len(fast.outbox) > 1 and time.monotonic() < pace_until:
                time.sleep(0.001)
    published.set()
    drain.join(timeout=15)
    reader.join(timeout=15)
    assert not drain.is_alive() and not reader.is_alive()
    assert fast.dropped is None, fast.dropped
    assert slow.dropped == "slow"
    assert [r.split("</p>")[0].split(">")[-1] for r in received] == [str(n) for n in range(60)]
