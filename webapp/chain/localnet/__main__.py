"""`python -m webapp.chain.localnet --data-dir DIR --rpc-port 8899 --ws-port 8900`."""
from __future__ import annotations

import argparse
import logging
from pathlib import Path

from webapp.chain.localnet.node import LocalnetSettings
from webapp.chain.localnet.server import run


def parse_args(argv: list[str] | None = None) -> LocalnetSettings:
    parser = argparse.ArgumentParser(prog="python -m webapp.chain.localnet",
                                     description="Local Solana chain (LiteSVM) speaking JSON-RPC and PubSub.")
    parser.add_argument("--data-dir", type=Path, default=Path("instance/localnet"),
                        help="where the journal and snapshots live (default: instance/localnet)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--rpc-port", type=int, default=8899)
    parser.add_argument("--ws-port", type=int, default=8900)
    parser.add_argument("--slot-ms", type=int, default=400, help="slot length in milliseconds (default 400)")
    parser.add_argument("--finality-slots", type=int, default=8,
                        help="slots until a slot is finalized (a real cluster: ~32; default 8)")
    parser.add_argument("--snapshot-every", type=int, default=20_000,
                        help="write an account snapshot every N transactions (default 20000)")
    parser.add_argument("--log-level", default="INFO")
    args = parser.parse_args(argv)
    logging.basicConfig(level=args.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    return LocalnetSettings(data_dir=args.data_dir, host=args.host, rpc_port=args.rpc_port, ws_port=args.ws_port,
                            slot_ms=args.slot_ms, finality_slots=args.finality_slots,
                            snapshot_every=args.snapshot_every)


def main(argv: list[str] | None = None) -> None:
    run(parse_args(argv))


if __name__ == "__main__":
    main()
