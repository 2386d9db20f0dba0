"""The local Solana chain: LiteSVM behind a JSON-RPC + PubSub server, and a market simulator.

Run it with `python -m webapp.chain.localnet --data-dir DIR` or `flask chain serve`.
"""
