"""The app pointed at a local chain, and small helpers that make real SPL activity on it."""
from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from prometheus_client import CollectorRegistry
from solders.keypair import Keypair
from solders.pubkey import Pubkey
from solders.signature import Signature

from tests.integration.chain.conftest import DECIMALS, ChainProcess, TokenWorld, chain, make_token_world  # noqa: F401
from webapp.chain import spl
from webapp.chain.rpc import SolanaRpcClient


def point_app_at(app: Flask, chain_process: ChainProcess) -> dict[str, object]:
    saved = {key: app.config.get(key) for key in ("SOLANA_RPC_URLS", "SOLANA_WS_URL")}
    app.config.update(SOLANA_RPC_URLS=[chain_process.rpc_url], SOLANA_WS_URL=chain_process.ws_url)
    app.extensions.pop("momentum_solana", None)
    return saved


@pytest.fixture()
def chain_app(app: Flask, chain: ChainProcess) -> Iterator[Flask]:  # noqa: F811
    saved = point_app_at(app, chain)
    try:
        yield app
    finally:
        app.config.update(saved)
        app.extensions.pop("momentum_solana", None)


@pytest.fixture(scope="session")
def rpc(chain: ChainProcess) -> Iterator[SolanaRpcClient]:  # noqa: F811
    with SolanaRpcClient([chain.rpc_url], registry=CollectorRegistry()) as client:
        yield client


def send(rpc: SolanaRpcClient, instructions: list, payer: Keypair, extra: list[Keypair] | None = None) -> Signature:
    blockhash = rpc.get_latest_blockhash().blockhash
    signature = rpc.send_transaction(spl.sign(instructions, payer, blockhash, extra or []))
    rpc.confirm(signature)
    return signature


def transfer(rpc: SolanaRpcClient, world: TokenWorld, sender: Keypair, recipient: Pubkey, amount: int) -> Signature:
    return send(rpc, spl.transfer(sender.pubkey(), world.mint_key, recipient, amount, DECIMALS), sender)


def fund(rpc: SolanaRpcClient, wallet: Pubkey, lamports: int = 10**9) -> None:
    rpc.confirm(rpc.request_airdrop(wallet, lamports))
