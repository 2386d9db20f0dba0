"""A fragment published by another process reaches WebSocket clients on every web process, on its topic only."""
from __future__ import annotations

import subprocess
import sys
import time

import websockets.sync.client

from tests.integration.live.conftest import ROOT, connect, receive_all

MINT = "So11111111111111111111111111111111111111112"
OTHER_MINT = "Es9vMFrzaCERmJfrF4H2FYD4KCoNkY11McCe8BenwNYB"

# What an RQ job does: no Flask app, just the Redis URL.
PUBLISHER = """
import sys
from webapp.live import publish
for topic, html in zip(sys.argv[2::2], sys.argv[3::2]):
    print(publish(topic, html, redis=sys.argv[1]))
"""


def publish_from_another_process(redis_url: str, *pairs: tuple[str, str]) -> list[str]:
    args = [part for pair in pairs for part in pair]
    done = subprocess.run(
        [sys.executable, "-c", PUBLISHER, redis_url, *args],
        cwd=ROOT, capture_output=True, text=True, timeout=30, check=True,
    )
    return done.stdout.split()


def test_a_worker_reaches_both_web_processes_on_the_right_topics(app, web_processes) -> None:
    first, second = web_processes
    everyone_on_first = connect(first.ws_url, "global")
    token_fan_on_second = connect(second.ws_url, f"global,token:{MINT}")
    other_token_on_second = connect(second.ws_url, f"token:{OTHER_MINT}")
    try:
        started = time.monotonic()
        cursors = publish_from_another_process(
            app.config["REDIS_URL"],
            ("global", '<p id="hello">hello everyone</p>'),
            (f"token:{MINT}", f'<span id="price-{MINT}" hx-swap-oob="outerHTML">1 SOL</span>'),
        )
        assert len(cursors) == 2 and cursors[0] < cursors[1]

        (on_first,) = receive_all(everyone_on_first, 1)
        assert "hello everyone" in on_first
        assert f'id="live-cursor-global" name="after" value="{cursors[0]}" hx-swap-oob="true"' in on_first

        on_second = receive_all(token_fan_on_second, 2)
        assert "hello everyone" in on_second[0] and f"price-{MINT}" in on_second[1]
        assert f'id="live-cursor-token-{MINT}" name="after" value="{cursors[1]}"' in on_second[1]
        assert time.monotonic() - started < 5

        # Neither client hears the other's topic.
        assert everyone_on_first.receive(timeout=0.3) is None
        assert other_token_on_second.receive(timeout=0.3) is None
    finally:
        for client in (everyone_on_first, token_fan_on_second, other_token_on_second):
            client.close()


def test_the_socket_refuses_permessage_deflate(web_processes) -> None:
    """Browsers always offer compression; accepting it costs a compressor per connection."""
    with websockets.sync.client.connect(web_processes[0].ws_url + "?topics=global") as client:
        assert client.response is not None and client.response.status_code == 101
        assert "Sec-WebSocket-Extensions" not in client.response.headers
        message = client.recv(timeout=5)
        assert isinstance(message, str) and message.startswith("<!-- live: global")
