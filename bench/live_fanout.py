"""Live hub fan-out on one gunicorn gevent worker: idle connections, memory per connection, latency.

    .venv/bin/python -m webapp.embedded exec -- .venv/bin/python bench/live_fanout.py
    .venv/bin/python -m webapp.embedded exec -- .venv/bin/python bench/live_fanout.py --sizes 1000 --rounds 10

For each size it holds that many idle WebSocket connections (topic `global`)
on ONE web process (gunicorn -c gunicorn.conf.py, gevent, one worker), reads
the worker's RSS, then publishes one 500-byte fragment per round through
Redis and times publish → receive at every client (p50/p99 over all clients
and rounds; the first broadcast after the connections opened is shown apart).
Side by side, the same load against a baseline server written the obvious way
with flask-sock's defaults: simple-websocket accepts the permessage-deflate
that every browser offers (and so do these clients), and each connection
sends through its own queue and `ws.send()`.

The client load generator runs on the same machine (raw sockets under
epoll, several processes, `ulimit -n` raised with setrlimit): server and clients
share the CPUs, so latencies include the clients' own scheduling. Loopback
only; bounded in connections, rounds and time (each step times out).
"""
from __future__ import annotations

import argparse
import base64
import gc
import multiprocessing as mp
import os
import resource
import select
import shutil
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
FRAGMENT = (
    '<div hx-swap-oob="afterbegin:#trades"><article id="trade-{round}" class="feed-item trade trade-buy">'
    '<span class="badge badge-buy">buy</span><a class="mono" href="/u/9xQeWvG816bUx9EPjHmaT23yvVM2ZWbrrpZb9PusVFin">'
    "9xQe…VFin</a><span><strong>1,500</strong> MOM</span><span class=\"muted\">for 0.25 SOL</span>"
)
FRAGMENT = FRAGMENT + "<time>{round:08d}</time></article></div>".ljust(500 - len(FRAGMENT), " ")
STEP_TIMEOUT = 120.0


# The baseline server --------------------------------------------------------------


def baseline_app():  # type: ignore[no-untyped-def]
    """flask-sock written the obvious way: simple-websocket defaults, ws.send() per connection."""
    import queue
    import threading

    from flask import Flask
    from flask_sock import Sock
    from redis import Redis

    app = Flask(__name__)
    sock = Sock(app)
    queues: set[queue.Queue[str]] = set()
    started = threading.Event()

    def listen() -> None:
        pubsub = Redis.from_url(os.environ["REDIS_URL"]).pubsub(ignore_subscribe_messages=True)
        pubsub.subscribe("momentum:live:topic:global")
        for message in pubsub.listen():
            for outbox in list(queues):
                outbox.put(message["data"].decode())

    @sock.route("/ws")
    def ws(connection) -> None:  # type: ignore[no-untyped-def]
        if not started.is_set():
            started.set()
            threading.Thread(target=listen, daemon=True).start()
        outbox: queue.Queue[str] = queue.Queue()
        queues.add(outbox)
        try:
            connection.send("<!-- live: global -->")
            while True:
                connection.send(outbox.get())
        finally:
            queues.discard(outbox)

    @app.get("/health")
    def health() -> str:
        return "ok"

    return app


# Clients ----------------------------------------------------------------------


class Client:
    """A browser-like WebSocket client: offers permessage-deflate, answers pings, counts frames.

    Plain non-blocking sockets under one epoll per process: cheaper per message
    than asyncio, so the clients steal less CPU from the server they measure.
    """

    __slots__ = ("sock", "buffer", "frames", "first_round")

    def __init__(self, sock: socket.socket, first_round: int) -> None:
        self.sock = sock
        self.buffer = b""
        self.frames = 0
        self.first_round = first_round  # the round number of the first broadcast this client will see

    @staticmethod
    def handshake(port: int) -> bytes:
        key = base64.b64encode(os.urandom(16)).decode()
        return (
            f"GET /ws?topics=global HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
            "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n\r\n"
        ).encode()

    def upgrade(self) -> None:
        """Read the 101 answer and the server's greeting (blocking), then go non-blocking."""
        while b"\r\n\r\n" not in self.buffer:
            self.buffer += self.sock.recv(4096)
        head, _, self.buffer = self.buffer.partition(b"\r\n\r\n")
        if not head.startswith(b"HTTP/1.1 101"):
            raise ConnectionError(head[:80].decode())
        while self.frames == 0:
            self.feed(self.sock.recv(65536) if not self.buffer else b"", 0, [])
        self.sock.setblocking(False)

    def feed(self, data: bytes, now: int, arrivals: list[tuple[int, int]]) -> None:
        buffer = self.buffer + data if self.buffer else data
        while len(buffer) >= 2:
            first, size, offset = buffer[0], buffer[1] & 0x7F, 2
            if size == 126:
                if len(buffer) < 4:
                    break
                size, offset = struct.unpack(">H", buffer[2:4])[0], 4
            elif size == 127:
                if len(buffer) < 10:
                    break
                size, offset = struct.unpack(">Q", buffer[2:10])[0], 10
            if len(buffer) < offset + size:
                break
            buffer = buffer[offset + size:]
            opcode = first & 0x0F
            if opcode == 0x9:  # ping → masked empty pong
                self.sock.send(b"\x8a\x80" + os.urandom(4))
            elif opcode in (0x0, 0x1, 0x2) and first & 0x80:
                self.frames += 1
                if self.frames > 1:  # frame 1 is the greeting: registered and subscribed
                    arrivals.append((self.first_round + self.frames - 2, now))
        self.buffer = buffer


def open_clients(port: int, count: int, first_round: int, batch: int = 100) -> list[Client]:
    opened: list[Client] = []
    while len(opened) < count:
        group = [Client(socket.create_connection(("127.0.0.1", port)), first_round) for _ in range(min(batch, count - len(opened)))]
        for client in group:
            client.sock.sendall(Client.handshake(port))
        for client in group:
            client.upgrade()
        opened += group
    return opened


def client_process(port: int, commands) -> None:  # type: ignore[no-untyped-def]
    """Holds connections and reports arrivals; driven by (command, argument) tuples on a pipe."""
    # A forked child inherits the parent's whole heap: a full collection there (touching and
    # copying every page) stalled clients for ~150 ms mid-round. Nothing here makes cycles.
    gc.freeze()
    gc.disable()
    poller = select.epoll()
    poller.register(commands.fileno(), select.EPOLLIN)
    clients: dict[int, Client] = {}
    arrivals: list[tuple[int, int]] = []
    while True:
        for fd, _ in poller.poll(1.0):
            now = time.monotonic_ns()
            client = clients.get(fd)
            if client is not None:
                try:
                    data = os.read(fd, 65536)
                except BlockingIOError:
                    continue
                if data:
                    client.feed(data, now, arrivals)
                else:
                    poller.unregister(fd)
                continue
            command, argument = commands.recv()
            if command == "open":
                total, next_round = argument
                for new in open_clients(port, total - len(clients), next_round):
                    clients[new.sock.fileno()] = new
                    poller.register(new.sock.fileno(), select.EPOLLIN)
                commands.send(len(clients))
            elif command == "count":
                commands.send(sum(1 for number, _ in arrivals if number == argument))
            elif command == "arrivals":
                commands.send(list(arrivals))
                arrivals.clear()
            elif command == "close":
                for client in clients.values():
                    client.sock.close()
                commands.send(len(clients))
                return


# The run ----------------------------------------------------------------------


def start_server(app_path: str, port: int, metrics_dir: str) -> subprocess.Popen[bytes]:
    env = dict(os.environ)
    env.update(
        BIND=f"127.0.0.1:{port}", WEB_CONCURRENCY="1", WORKER_CONNECTIONS="10200", LOG_LEVEL="WARNING",
        PROMETHEUS_MULTIPROC_DIR=metrics_dir, LIVE_MAX_CONNECTIONS="10100", LIVE_MAX_PER_IP="10100",
        LIVE_HEARTBEAT_SECONDS="300", LIVE_SEND_QUEUE="64", PYTHONPATH=str(ROOT),
    )
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", app_path],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1):
                return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise RuntimeError(f"{app_path} did not start")


def worker_rss(master: int) -> int:
    (worker,) = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    for line in Path(f"/proc/{worker}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError("no VmRSS")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def run(label: str, app_path: str, sizes: list[int], rounds: int, processes: int) -> list[dict[str, object]]:
    from redis import Redis

    from webapp.live import history

    redis = Redis.from_url(os.environ["REDIS_URL"])
    port = free_port()
    metrics_dir = tempfile.mkdtemp(prefix="bench-metrics-")
    server = start_server(app_path, port, metrics_dir)
    pipes, workers = [], []
    results = []
    try:
        for _ in range(processes):
            parent, child = mp.Pipe()
            worker = mp.Process(target=client_process, args=(port, child), daemon=True)
            worker.start()
            pipes.append(parent)
            workers.append(worker)

        def ask(command: str, argument: int = 0) -> list[object]:
            for pipe in pipes:
                pipe.send((command, argument))
            deadline = time.monotonic() + STEP_TIMEOUT
            answers = []
            for pipe in pipes:
                if not pipe.poll(max(0.0, deadline - time.monotonic())):
                    raise TimeoutError(f"{command} timed out")
                answers.append(pipe.recv())
            return answers

        # One connection first, so the worker has imported and started everything it will.
        pipes[0].send(("open", (1, 0)))
        pipes[0].recv()
        time.sleep(1.0)
        baseline_rss = worker_rss(server.pid)
        round_number = 0
        for size in sizes:
            started = time.monotonic()
            per_process = [size // processes + (1 if i < size % processes else 0) for i in range(processes)]
            for pipe, count in zip(pipes, per_process):
                pipe.send(("open", (count, round_number)))
            held = sum(pipe.recv() for pipe in pipes)
            connect_seconds = time.monotonic() - started
            time.sleep(1.0)
            idle_rss = worker_rss(server.pid)
            ask("arrivals")
            published: dict[int, int] = {}
            for _ in range(rounds):
                published[round_number] = time.monotonic_ns()
                history.publish(redis, "global", FRAGMENT.format(round=round_number))
                deadline = time.monotonic() + STEP_TIMEOUT
                while sum(ask("count", round_number)) < held:  # type: ignore[arg-type]
                    if time.monotonic() > deadline:
                        raise TimeoutError(f"round {round_number}: not every client got the fragment")
                    time.sleep(0.01)
                round_number += 1
                time.sleep(0.05)
            arrivals = [pair for answer in ask("arrivals") for pair in answer]  # type: ignore[union-attr]
            first_round = min(published)
            first = [(at - published[n]) / 1e6 for n, at in arrivals if n == first_round]
            steady = [(at - published[n]) / 1e6 for n, at in arrivals if n != first_round and n in published]
            time.sleep(0.5)
            busy_rss = worker_rss(server.pid)
            result = {
                "server": label, "clients": held, "connect_s": round(connect_seconds, 1),
                "kb_per_conn_idle": round((idle_rss - baseline_rss) / held / 1024, 1),
                "kb_per_conn_after_sends": round((busy_rss - baseline_rss) / held / 1024, 1),
                "first_p99_ms": round(percentile(first, 0.99), 1),
                "p50_ms": round(statistics.median(steady), 1), "p99_ms": round(percentile(steady, 0.99), 1),
                "max_ms": round(max(steady), 1),
            }
            results.append(result)
            print(result, flush=True)
        ask("close")
    finally:
        for worker in workers:
            worker.join(timeout=5)
            if worker.is_alive():
                worker.kill()
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        shutil.rmtree(metrics_dir, ignore_errors=True)
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,5000,10000", help="connection counts, ascending")
    parser.add_argument("--baseline-sizes", default="1000,5000", help="the same for the baseline server ('' to skip)")
    parser.add_argument("--rounds", type=int, default=20, help="broadcasts per size")
    parser.add_argument("--client-processes", type=int, default=4)
    args = parser.parse_args()
    if not os.environ.get("REDIS_URL") or not os.environ.get("DATABASE_URL"):
        print("run through `python -m webapp.embedded exec -- …` or set DATABASE_URL and REDIS_URL", file=sys.stderr)
        return 2
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))  # inherited by gunicorn and the clients
    sizes = [int(s) for s in args.sizes.split(",") if s]
    baseline_sizes = [int(s) for s in args.baseline_sizes.split(",") if s]
    print(f"ulimit -n {soft} → {hard}; {os.cpu_count()} CPUs; clients on this machine in {args.client_processes} processes")
    results = run("momentum hub", "wsgi:app", sizes, args.rounds, args.client_processes)
    if baseline_sizes:
        results += run("flask-sock defaults", "bench.live_fanout:baseline_app()", baseline_sizes, args.rounds, args.client_processes)
    columns = list(results[0])
    print("\n| " + " | ".join(columns) + " |\n|" + "---|" * len(columns))
    for result in results:
        print("| " + " | ".join(str(result[c]) for c in columns) + " |")
    for size in baseline_sizes:
        ours = next((r for r in results if r["server"] == "momentum hub" and r["clients"] == size), None)
        theirs = next((r for r in results if r["server"] != "momentum hub" and r["clients"] == size), None)
        if ours and theirs:
            print(
                f"\n{size} clients, baseline ÷ hub: memory after sends {theirs['kb_per_conn_after_sends'] / max(ours['kb_per_conn_after_sends'], 0.1):.1f}×, "
                f"first broadcast p99 {theirs['first_p99_ms'] / max(ours['first_p99_ms'], 0.1):.1f}×, "
                f"p50 {theirs['p50_ms'] / max(ours['p50_ms'], 0.1):.1f}×, p99 {theirs['p99_ms'] / max(ours['p99_ms'], 0.1):.1f}×"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
