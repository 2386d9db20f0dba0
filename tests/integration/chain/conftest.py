"""The local chain as a real subprocess on free ports, and a funded SPL token world on it."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from solders.keypair import Keypair
from solders.pubkey import Pubkey

from webapp.chain.localnet import spl_actions as spl
from webapp.chain.rpc import SolanaRpcClient

REPO_ROOT = Path(__file__).resolve().parents[3]
SLOT_MS = 50
FINALITY_SLOTS = 4
DECIMALS = 6


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class ChainProcess:
    """One `python -m webapp.chain.localnet` process; restartable on the same data directory."""

    data_dir: Path
    rpc_port: int = field(default_factory=free_port)
    ws_port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None
    # One pooled client: a new httpx client per call costs ~40 ms (it builds an SSL context).
    http: httpx.Client = field(default_factory=lambda: httpx.Client(timeout=5.0))

    @property
    def rpc_url(self) -> str:
        return f"http://127.0.0.1:{self.rpc_port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.ws_port}"

    def start(self, timeout: float = 30.0) -> None:
        command = [sys.executable, "-m", "webapp.chain.localnet", "--data-dir", str(self.data_dir),
                   "--rpc-port", str(self.rpc_port), "--ws-port", str(self.ws_port),
                   "--slot-ms", str(SLOT_MS), "--finality-slots", str(FINALITY_SLOTS), "--log-level", "WARNING"]
        log = open(self.data_dir.parent / f"{self.data_dir.name}.log", "ab")  # noqa: SIM115 - owned by the process
        env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
        self.process = subprocess.Popen(command, cwd=REPO_ROOT, stdout=log, stderr=subprocess.STDOUT, env=env)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"local chain exited with {self.process.returncode}; see {log.name}")
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

    def post_raw(self, content: bytes | str) -> Any:
        return self.http.post(self.rpc_url, content=content, headers={"Content-Type": "application/json"}).json()

    def wait_slots(self, count: int) -> None:
        time.sleep(count * SLOT_MS / 1000 * 1.5)


@pytest.fixture(scope="session")
def chain(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ChainProcess]:
    process = ChainProcess(tmp_path_factory.mktemp("localnet") / "data")
    process.start()
    yield process
    process.stop()


@pytest.fixture
def own_chain(tmp_path: Path) -> Iterator[ChainProcess]:
    """A chain only this test uses (it may kill or restart it)."""
    process = ChainProcess(tmp_path / "data")
    process.start()
    yield process
    process.kill()


@pytest.fixture(scope="session")
def client(chain: ChainProcess) -> Iterator[SolanaRpcClient]:
    with SolanaRpcClient([chain.rpc_url], registry=_private_registry()) as rpc:
        yield rpc


def _private_registry() -> Any:
    from prometheus_client import CollectorRegistry

    return CollectorRegistry()


@dataclass
class TokenWorld:
    """A funded payer holding a fresh mint's whole supply, plus an empty recipient wallet."""

    payer: Keypair
    recipient: Keypair
    mint: Keypair
    supply: int

    @property
    def mint_key(self) -> Pubkey:
        return self.mint.pubkey()


def make_token_world(rpc: SolanaRpcClient, supply: int = 1_000_000 * 10**DECIMALS) -> TokenWorld:
    payer, recipient, mint = Keypair(), Keypair(), Keypair()
    rpc.confirm(rpc.request_airdrop(payer.pubkey(), 100 * 10**9))
    rent = rpc.get_minimum_balance_for_rent_exemption(spl.MINT_SIZE)
    blockhash = rpc.get_latest_blockhash().blockhash
    instructions = spl.create_mint(payer.pubkey(), mint.pubkey(), payer.pubkey(), DECIMALS, rent)
    instructions += spl.mint_to(payer.pubkey(), mint.pubkey(), payer.pubkey(), payer.pubkey(), supply, DECIMALS)
    rpc.confirm(rpc.send_transaction(spl.sign(instructions, payer, blockhash, [mint])))
    return TokenWorld(payer, recipient, mint, supply)


@pytest.fixture
def token_world(client: SolanaRpcClient) -> TokenWorld:
    return make_token_world(client)
