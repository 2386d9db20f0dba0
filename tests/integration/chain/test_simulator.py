"""The market simulator produces real, queryable SPL activity through the RPC."""
from __future__ import annotations

import random
from pathlib import Path

from flask import Flask

from tests.integration.chain.conftest import ChainProcess
from webapp.chain.cli import chain_cli
from webapp.chain.localnet.simulator import MarketSimulator, MarketState
from webapp.chain.rpc import SolanaRpcClient


def test_simulator_creates_tokens_and_trades_them(client: SolanaRpcClient, tmp_path: Path) -> None:
    state_file = tmp_path / "simulator.json"
    simulator = MarketSimulator(client, wallets=4, tokens=2, rate=40, state_file=state_file, rng=random.Random(7))
    simulator.setup()
    stats = simulator.run(duration=1.5)
    assert stats.sent >= 20
    assert stats.by_action.get("transfer", 0) > 0

    mints = [token.address for token in simulator.state.tokens]
    assert len(mints) == 2
    history = client.get_signatures_for_address(mints[0], commitment="confirmed", limit=1000)
    assert history, "the simulated activity is on chain"
    # Burns only ever reduce supply; mints add whole tokens.
    supply = client.get_token_supply(mints[0])
    assert supply.decimals == 6 and supply.amount > 0
    total_held = sum(h.amount for w in simulator.state.wallets
                     for h in client.get_token_accounts_by_owner(w.pubkey(), mint=mints[0], commitment="processed"))
    assert total_held == client.get_token_supply(mints[0], commitment="processed").amount

    # A restart reuses the same wallets and tokens.
    reloaded = MarketState.load(state_file)
    assert [t.address for t in reloaded.tokens] == mints
    assert [w.pubkey() for w in reloaded.wallets] == [w.pubkey() for w in simulator.state.wallets]


def test_flask_chain_simulate_command(chain: ChainProcess, tmp_path: Path) -> None:
    app = Flask("chain_cli_test", instance_path=str(tmp_path))
    app.config["SOLANA_RPC_URLS"] = [chain.rpc_url]
    app.cli.add_command(chain_cli)
    result = app.test_cli_runner().invoke(args=["chain", "simulate", "--rate", "20", "--duration", "1",
                                                "--wallets", "3", "--tokens", "1"])
    assert result.exit_code == 0, result.output
    assert "sent" in result.output
    assert (tmp_path / "localnet" / "simulator.json").exists()
