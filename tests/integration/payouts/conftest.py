"""A funded payout wallet on a local chain, and the app pointed at both."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from prometheus_client import CollectorRegistry
from solders.keypair import Keypair
from solders.pubkey import Pubkey

from tests.integration.chain.conftest import DECIMALS, ChainProcess, chain, make_token_world  # noqa: F401
from webapp.chain import spl
from webapp.chain.rpc import SolanaRpcClient

PASSPHRASE = "test passphrase"


@dataclass
class PayoutWorld:
    app: Flask
    rpc: SolanaRpcClient
    mint: Pubkey
    wallet_name: str
    wallet: Pubkey
    treasury: Keypair

    def token_balance(self, owner: Pubkey | str) -> int:
        return sum(h.amount for h in self.rpc.get_token_accounts_by_owner(str(owner), mint=self.mint))

    def fund(self, tokens: int, lamports: int = 10 * 10**9) -> None:
        """Move tokens from the treasury that minted them, and SOL by airdrop, into the payout wallet."""
        self.rpc.confirm(self.rpc.request_airdrop(self.wallet, lamports))
        blockhash = self.rpc.get_latest_blockhash().blockhash
        instructions = spl.transfer(self.treasury.pubkey(), self.mint, self.wallet, tokens, DECIMALS)
        self.rpc.confirm(self.rpc.send_transaction(spl.sign(instructions, self.treasury, blockhash)))


@pytest.fixture()
def payout_world(app: Flask, chain: ChainProcess, tmp_path: Path) -> Iterator[PayoutWorld]:  # noqa: F811
    from webapp.services import platform_wallets

    saved = {key: app.config[key] for key in ("SOLANA_RPC_URLS", "WALLET_KEYSTORE_PATH", "WALLET_KEYSTORE_PASSPHRASE")}
    app.config.update(
        SOLANA_RPC_URLS=[chain.rpc_url],
        WALLET_KEYSTORE_PATH=str(tmp_path / "keystore.json"),
        WALLET_KEYSTORE_PASSPHRASE=PASSPHRASE,
    )
    app.extensions.pop("momentum_solana", None)
    rpc = SolanaRpcClient([chain.rpc_url], registry=CollectorRegistry())
    world = make_token_world(rpc, supply=10**15)
    with app.app_context():
        wallet = platform_wallets.create_wallet("payout_hot", "test payouts")
        address = Pubkey.from_string(wallet.address)
    try:
        yield PayoutWorld(app, rpc, world.mint_key, "payout_hot", address, world.payer)
    finally:
        app.config.update(saved)
        app.extensions.pop("momentum_solana", None)
        rpc.close()
