"""PubSub through solana-py's websocket client: logs, signature, account and slot notifications."""
from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Coroutine
from typing import Any

import pytest
from solana.rpc.commitment import Commitment, Confirmed, Finalized, Processed
from solana.rpc.websocket_api import SolanaWsClient
from solders.rpc.config import RpcTransactionLogsFilterMentions
from solders.rpc.responses import (
    AccountNotification,
    LogsNotification,
    SignatureNotification,
    SlotNotification,
)
from solders.signature import Signature

from tests.integration.chain.conftest import DECIMALS, ChainProcess, TokenWorld
from webapp.chain import spl
from webapp.chain.rpc import SolanaRpcClient

TIMEOUT = 10.0


def _transfer(client: SolanaRpcClient, world: TokenWorld, amount: int) -> Signature:
    blockhash = client.get_latest_blockhash().blockhash
    ixs = spl.transfer(world.payer.pubkey(), world.mint_key, world.recipient.pubkey(), amount, DECIMALS)
    return client.send_transaction(spl.sign(ixs, world.payer, blockhash))


async def _next(ws: SolanaWsClient, kind: type, accept: Callable[[Any], bool] = lambda n: True) -> Any:
    while True:
        notification = await asyncio.wait_for(ws.recv(), TIMEOUT)
        if isinstance(notification, kind) and accept(notification):
            return notification


def _run(scenario: Callable[[], Coroutine[Any, Any, Any]]) -> Any:
    return asyncio.run(scenario())


@pytest.mark.parametrize("commitment", [Processed, Confirmed, Finalized])
def test_logs_subscribe_mentioning_a_mint_gets_the_new_transaction(
        chain: ChainProcess, client: SolanaRpcClient, token_world: TokenWorld, commitment: Commitment) -> None:
    async def scenario() -> tuple[LogsNotification, Signature]:
        async with SolanaWsClient(chain.ws_url) as ws:
            await ws.logs_subscribe(filter_=RpcTransactionLogsFilterMentions(token_world.mint_key),
                                    commitment=commitment)
            signature = await asyncio.to_thread(_transfer, client, token_world, 5)
            notification = await _next(ws, LogsNotification)
            return notification, signature

    notification, signature = _run(scenario)
    value = notification.result.value
    assert value.signature == signature
    assert value.err is None
    assert any("TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA" in line for line in value.logs)
    status = client.get_signature_statuses([signature])[0]
    assert status is not None and status.reached(commitment)


def test_logs_subscribe_ignores_transactions_not_mentioning_the_address(
        chain: ChainProcess, client: SolanaRpcClient, token_world: TokenWorld) -> None:
    from solders.keypair import Keypair

    async def scenario() -> list[Any]:
        async with SolanaWsClient(chain.ws_url) as ws:
            await ws.logs_subscribe(filter_=RpcTransactionLogsFilterMentions(Keypair().pubkey()), commitment=Processed)
            await asyncio.to_thread(_transfer, client, token_world, 6)
            try:
                return [await asyncio.wait_for(ws.recv(), 0.5)]
            except TimeoutError:
                return []

    assert _run(scenario) == []


def test_signature_subscribe_notifies_once_confirmed(chain: ChainProcess, client: SolanaRpcClient,
                                                     token_world: TokenWorld) -> None:
    async def scenario() -> tuple[SignatureNotification, SignatureNotification, Signature]:
        blockhash = await asyncio.to_thread(lambda: client.get_latest_blockhash().blockhash)
        tx = spl.sign(spl.transfer(token_world.payer.pubkey(), token_world.mint_key, token_world.recipient.pubkey(),
                                   9, DECIMALS), token_world.payer, blockhash)
        signature = tx.signatures[0]
        async with SolanaWsClient(chain.ws_url) as ws:
            await ws.signature_subscribe(signature=signature, commitment=Confirmed)
            await asyncio.to_thread(client.send_transaction, tx)
            live = await _next(ws, SignatureNotification)
            # Subscribing after it landed answers at once.
            await ws.signature_subscribe(signature=signature, commitment=Confirmed)
            late = await _next(ws, SignatureNotification)
            return live, late, signature

    live, late, signature = _run(scenario)
    assert live.result.value.err is None and late.result.value.err is None
    status = client.get_signature_statuses([signature])[0]
    assert status is not None and status.slot == live.result.context.slot


def test_account_and_slot_subscriptions(chain: ChainProcess, client: SolanaRpcClient, token_world: TokenWorld) -> None:
    payer = token_world.payer.pubkey()

    async def scenario() -> tuple[AccountNotification, list[SlotNotification]]:
        async with SolanaWsClient(chain.ws_url) as ws:
            await ws.slot_subscribe()
            slots = [await _next(ws, SlotNotification) for _ in range(3)]
        async with SolanaWsClient(chain.ws_url) as ws:
            await ws.account_subscribe(pubkey=payer, commitment=Confirmed, encoding="base64")
            await asyncio.to_thread(_transfer, client, token_world, 11)
            account = await _next(ws, AccountNotification)
        return account, slots

    account, slots = _run(scenario)
    numbers = [n.result.slot for n in slots]
    assert numbers == sorted(numbers) and len(set(numbers)) == 3
    assert all(n.result.root <= n.result.slot for n in slots)
    assert account.result.value.lamports == client.get_balance(payer, "confirmed")


def test_unsubscribe_stops_notifications_and_unknown_ids_are_refused(
        chain: ChainProcess, client: SolanaRpcClient, token_world: TokenWorld) -> None:
    import json

    import websockets

    async def scenario() -> tuple[list[dict[str, Any]], dict[str, Any], dict[str, Any]]:
        async with websockets.connect(chain.ws_url) as ws:
            await ws.send(json.dumps({"jsonrpc": "2.0", "id": 1, "method": "logsSubscribe",
                                      "params": [{"mentions": [str(token_world.mint_key)]},
                                                 {"commitment": "processed"}]}))
            subscription = json.loads(await ws.recv())["result"]
            await ws.send(json.dumps({"jsonrpc": "2.0", "id": 2, "method": "logsUnsubscribe",
                                      "params": [subscription]}))
            unsubscribed = json.loads(await ws.recv())
            await asyncio.to_thread(_transfer, client, token_world, 3)
            await ws.send(json.dumps({"jsonrpc": "2.0", "id": 3, "method": "slotUnsubscribe", "params": [999_999]}))
            refused = json.loads(await ws.recv())
            extra = []
            with contextlib.suppress(TimeoutError):
                extra.append(json.loads(await asyncio.wait_for(ws.recv(), 0.3)))
            return extra, unsubscribed, refused

    extra, unsubscribed, refused = _run(scenario)
    assert unsubscribed == {"jsonrpc": "2.0", "result": True, "id": 2}
    assert refused["error"] == {"code": -32602, "message": "Invalid subscription id."}
    assert extra == []
