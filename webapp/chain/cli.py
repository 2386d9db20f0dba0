"""`flask chain serve` (the local chain) and `flask chain simulate` (demo market activity)."""
from __future__ import annotations

import logging
import threading
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from webapp.extensions import app_object

chain_cli = AppGroup("chain", help="The local Solana chain for development.")


def _default_data_dir() -> Path:
    return Path(current_app.instance_path) / "localnet"


@chain_cli.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--rpc-port", default=8899, show_default=True, type=int)
@click.option("--ws-port", default=8900, show_default=True, type=int)
@click.option("--data-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Journal and snapshots [default: <instance>/localnet]")
@click.option("--slot-ms", default=400, show_default=True, type=int, help="Slot length in milliseconds.")
@click.option("--finality-slots", default=8, show_default=True, type=int,
              help="Slots until finalized (a real cluster: ~32).")
def serve(host: str, rpc_port: int, ws_port: int, data_dir: Path | None, slot_ms: int, finality_slots: int) -> None:
    """Run the LiteSVM-backed chain: JSON-RPC on --rpc-port, PubSub on --ws-port."""
    from webapp.chain.localnet.node import LocalnetSettings
    from webapp.chain.localnet.server import run

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    settings = LocalnetSettings(data_dir=data_dir or _default_data_dir(), host=host, rpc_port=rpc_port,
                                ws_port=ws_port, slot_ms=slot_ms, finality_slots=finality_slots)
    run(settings)


def _duration(value: str) -> float | None:
    if value.lower() in ("forever", "inf", "0"):
        return None
    try:
        return float(value)
    except ValueError:
        raise click.BadParameter("seconds, or 'forever'") from None


@chain_cli.command("simulate")
@click.option("--rate", default=2.0, show_default=True, type=float, help="Transactions per second.")
@click.option("--wallets", default=8, show_default=True, type=int, help="Demo wallets.")
@click.option("--tokens", default=3, show_default=True, type=int, help="Demo tokens.")
@click.option("--duration", default="forever", show_default=True, help="Seconds, or 'forever'.")
@click.option("--curve-trade-seconds", default=4.0, show_default=True, type=float,
              help="Seconds between demo trades on the Wild Fires curves and pools (0: none).")
def simulate(rate: float, wallets: int, tokens: int, duration: str, curve_trade_seconds: float) -> None:
    """Demo wallets create, mint, transfer and burn SPL tokens, and trade the demo curves and pools."""
    from webapp.chain.localnet.simulator import MarketSimulator
    from webapp.chain.rpc import SolanaRpcClient

    urls = list(current_app.config.get("SOLANA_RPC_URLS") or [])
    if not urls:
        raise click.ClickException("SOLANA_RPC_URLS is not set")
    seconds = _duration(duration)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    with SolanaRpcClient(urls[:1]) as client:
        simulator = MarketSimulator(client, wallets=wallets, tokens=tokens, rate=rate,
                                    state_file=_default_data_dir() / "simulator.json")
        simulator.setup()
        mints = ", ".join(str(t.address) for t in simulator.state.tokens)
        click.echo(f"simulating {rate} tx/s with {len(simulator.state.wallets)} wallets and "
                   f"{len(simulator.state.tokens)} tokens: {mints}")
        stop = threading.Event()
        if curve_trade_seconds > 0:
            _start_curve_trading(app_object(), curve_trade_seconds, stop)
        try:
            stats = simulator.run(seconds)
        except KeyboardInterrupt:
            stats = simulator.stats
        finally:
            stop.set()
        click.echo(f"sent {stats.sent} transactions ({stats.by_action}), {stats.rejected} refused")


def _start_curve_trading(app: Flask, seconds: float, stop: threading.Event) -> None:
    """Demo members trade the curves and pools in the background (until `stop`), through the members' own path."""
    import random

    from webapp.extensions import solana_client
    from webapp.services.trading import demo_trader

    def loop() -> None:
        rng = random.Random()
        while not stop.wait(seconds):
            with app.app_context():
                try:
                    demo_trader.random_trade(solana_client(), rng)
                except Exception as error:  # noqa: BLE001 - a demo trade must never stop the simulator
                    logging.getLogger("momentum.demo").warning("demo trade failed: %s", error)

    threading.Thread(target=loop, name="curve-trades", daemon=True).start()


@chain_cli.command("listen")
def listen() -> None:
    """Follow tracked mints and platform wallets over PubSub; queue an indexing job per new transaction."""
    from webapp.chain.listener import run_listener

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    run_listener(app_object())
