"""The local chain as a real subprocess on free ports, and a funded SPL token world on it."""
from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from solders.keypair import Keypair
from solders.pubkey import Pubkey

from webapp.chain import spl
from webapp.chain.localnet.process import LocalChainProcess, free_port  # noqa: F401
from webapp.chain.rpc import SolanaRpcClient

REPO_ROOT = Path(__file__).resolve().parents[3]
SLOT_MS = 50
FINALITY_SLOTS = 4
DECIMALS = 6


@dataclass
class ChainProcess(LocalChainProcess):
    """The local chain on fast slots, with helpers for raw JSON-RPC in tests."""

    slot_ms: int = SLOT_MS
    finality_slots: int = FINALITY_SLOTS

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
