"""The local chain as a child process: what `make run`, the tests and the benchmarks start."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[3]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class LocalChainProcess:
    """One `python -m webapp.chain.localnet` process; restartable on the same data directory."""

    data_dir: Path
    rpc_port: int = field(default_factory=free_port)
    ws_port: int = field(default_factory=free_port)
    slot_ms: int = 400
    finality_slots: int = 8
    log_level: str = "WARNING"
    process: subprocess.Popen[bytes] | None = None
    # One pooled client: a new httpx client per call costs ~40 ms (it builds an SSL context).
    http: httpx.Client = field(default_factory=lambda: httpx.Client(timeout=5.0))

    @property
    def rpc_url(self) -> str:
        return f"http://127.0.0.1:{self.rpc_port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.ws_port}"

    @property
    def log_path(self) -> Path:
        return self.data_dir.parent / f"{self.data_dir.name}.log"

    def start(self, timeout: float = 60.0, env: dict[str, str] | None = None) -> None:
        command = [sys.executable, "-m", "webapp.chain.localnet", "--data-dir", str(self.data_dir),
                   "--rpc-port", str(self.rpc_port), "--ws-port", str(self.ws_port),
                   "--slot-ms", str(self.slot_ms), "--finality-slots", str(self.finality_slots),
                   "--log-level", self.log_level]
        self.data_dir.parent.mkdir(parents=True, exist_ok=True)
        log = open(self.log_path, "ab")
        child_env = {**(env or os.environ), "PYTHONPATH": str(ROOT)}
        # A session of its own: Ctrl-C in a terminal reaches the launcher, which stops the chain last.
        self.process = subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env=child_env,
                                        start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"local chain exited with {self.process.returncode} (port taken?); see {self.log_path}")
            try:
                if self.rpc("getHealth").get("result") == "ok":
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
        raise RuntimeError("local chain did not answer getHealth in time")

    def stop(self) -> None:
        """Graceful stop (SIGTERM): the chain writes a snapshot on the way out."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=30)

    def kill(self) -> None:
        """Hard stop (SIGKILL): nothing gets flushed but what was already written."""
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)

    def rpc(self, method: str, params: list[Any] | None = None) -> dict[str, Any]:
        body = {"jsonrpc": "2.0", "id": 1, "method": method, "params": params or []}
        return self.http.post(self.rpc_url, json=body).json()
