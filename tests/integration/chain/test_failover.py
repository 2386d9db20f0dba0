"""The app's client keeps answering when an endpoint dies: failover, breakers, health report."""
from __future__ import annotations

from pathlib import Path

from prometheus_client import CollectorRegistry
from solders.keypair import Keypair

from tests.integration.chain.conftest import ChainProcess, free_port
from webapp.chain.rpc import SolanaRpcClient, SolanaUnavailable


def test_client_fails_over_when_the_primary_dies(own_chain: ChainProcess, tmp_path: Path) -> None:
    primary = ChainProcess(tmp_path / "primary")
    primary.start()
    registry = CollectorRegistry()
    wallet = Keypair().pubkey()
    # The backup is a different chain: only it knows this airdrop, so answers show who served them.
    own_chain.rpc("requestAirdrop", [str(wallet), 7_000_000])
    try:
        with SolanaRpcClient([primary.rpc_url, own_chain.rpc_url], registry=registry, failure_threshold=2,
                             reset_timeout=60) as client:
            assert client.get_balance(wallet, "processed") == 0, "served by the primary while it is up"
            primary.kill()
            for _ in range(5):
                assert client.get_balance(wallet, "processed") == 7_000_000
            blockhash = client.get_latest_blockhash()
            assert blockhash.last_valid_block_height > 0
            report = {entry["url"]: entry for entry in client.health()}
            assert report[primary.rpc_url]["ok"] is False and report[primary.rpc_url]["breaker"] == "open"
            assert report[own_chain.rpc_url]["ok"] is True
            assert isinstance(report[own_chain.rpc_url]["slot"], int)
            assert report[own_chain.rpc_url]["latency_ms"] >= 0
    finally:
        primary.kill()
    assert (registry.get_sample_value("solana_rpc_failovers_total", {"method": "getBalance"}) or 0) >= 1
    assert (registry.get_sample_value("solana_rpc_errors_total", {
        "method": "getBalance", "endpoint": primary.rpc_url, "kind": "connect"}) or 0) >= 1
    assert registry.get_sample_value("solana_rpc_breaker_state", {"endpoint": primary.rpc_url}) == 2


def test_unreachable_first_endpoint_never_reaches_the_caller(own_chain: ChainProcess) -> None:
    dead = f"http://127.0.0.1:{free_port()}/?api-key=secret"
    with SolanaRpcClient([dead, own_chain.rpc_url], registry=CollectorRegistry()) as client:
        assert client.get_slot("processed") >= 0
        report = client.health()
        assert report[0]["url"] == dead.split("?")[0].rstrip("/") or "secret" not in report[0]["url"]
        assert "secret" not in str(report)


def test_all_endpoints_down_raises_unavailable() -> None:
    urls = [f"http://127.0.0.1:{free_port()}", f"http://127.0.0.1:{free_port()}"]
    with SolanaRpcClient(urls, registry=CollectorRegistry(), max_attempts=3) as client:
        try:
            client.get_slot()
        except SolanaUnavailable as error:
            assert len(error.attempts) == 3
        else:
            raise AssertionError("expected SolanaUnavailable")
