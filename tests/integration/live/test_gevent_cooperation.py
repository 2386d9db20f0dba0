"""Under gunicorn's gevent worker, PostgreSQL and Redis calls wait without blocking other greenlets.

(docs/deploy.md cites this test: psycopg is imported after gevent patches, with PSYCOPG_WAIT_FUNC=wait_poll.)
"""
from __future__ import annotations

import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor

from tests.integration.live.conftest import connect, receive_all
from webapp.live import history

SLEEP = 0.5
SLOW_QUERIES = 8
SLOW_REDIS_CALLS = 4


def get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as reply:
        return reply.read().decode()


def test_slow_queries_do_not_hold_up_other_requests_or_sockets(app, web_processes, redis) -> None:
    web = web_processes[0]  # one gunicorn worker: every request below shares one OS thread
    listener = connect(web.ws_url, "global")
    try:
        with ThreadPoolExecutor(SLOW_QUERIES + SLOW_REDIS_CALLS) as pool:
            started = time.monotonic()
            waits = [pool.submit(get, f"{web.url}/_probe/pg-sleep?seconds={SLEEP}") for _ in range(SLOW_QUERIES)]
            waits += [pool.submit(get, f"{web.url}/_probe/redis-wait?seconds={SLEEP}") for _ in range(SLOW_REDIS_CALLS)]
            time.sleep(0.15)  # every request is now inside pg_sleep or BLPOP
            published = time.monotonic()
            history.publish(redis, "global", '<p id="prompt">while the database sleeps</p>')
            (pushed,) = receive_all(listener, 1)
            push_latency = time.monotonic() - published
            health_started = time.monotonic()
            assert '"status":"ok"' in get(f"{web.url}/health").replace(" ", "")
            health_latency = time.monotonic() - health_started
            answers = [wait.result() for wait in waits]
            elapsed = time.monotonic() - started
    finally:
        listener.close()
    assert "while the database sleeps" in pushed
    assert answers.count("slept") == SLOW_QUERIES and answers.count("waited") == SLOW_REDIS_CALLS
    assert push_latency < 0.2, f"a push took {push_latency:.3f}s while queries slept"
    assert health_latency < 0.2, f"/health took {health_latency:.3f}s while queries slept"
    # In series they would take (8 + 4) * 0.5 s = 6 s.
    assert elapsed < 3 * SLEEP, f"{SLOW_QUERIES + SLOW_REDIS_CALLS} concurrent 0.5 s waits took {elapsed:.2f}s"
