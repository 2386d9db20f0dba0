"""The chain's state survives restarts: hard kills (journal replay) and clean stops (snapshot + journal)."""
from __future__ import annotations

from typing import Any

from prometheus_client import CollectorRegistry
from solders.signature import Signature

from tests.integration.chain.conftest import DECIMALS, ChainProcess, TokenWorld, make_token_world
from webapp.chain import spl
from webapp.chain.rpc import SolanaRpcClient


def _transfer(client: SolanaRpcClient, world: TokenWorld, amount: int) -> Signature:
    blockhash = client.get_latest_blockhash().blockhash
    ixs = spl.transfer(world.payer.pubkey(), world.mint_key, world.recipient.pubkey(), amount, DECIMALS)
    signature = client.send_transaction(spl.sign(ixs, world.payer, blockhash))
    client.confirm(signature)
    return signature


def _observed(client: SolanaRpcClient, world: TokenWorld, signatures: list[Signature]) -> dict[str, Any]:
    """Everything a restart must not change."""
    recipient_ata = spl.token_account(world.recipient.pubkey(), world.mint_key)
    payer_ata = spl.token_account(world.payer.pubkey(), world.mint_key)
    statuses = client.get_signature_statuses(signatures)
    return {
        "transactions": [client.get_transaction(s, encoding=e) for s in signatures for e in ("json", "jsonParsed")],
        "statuses": [(s.slot, s.err) for s in statuses if s is not None],
        "payer_lamports": client.get_balance(world.payer.pubkey()),
        "recipient_lamports": client.get_balance(world.recipient.pubkey()),
        "tokens": (client.get_token_account_balance(payer_ata), client.get_token_account_balance(recipient_ata)),
        "supply": client.get_token_supply(world.mint_key),
        "mint_history": client.get_signatures_for_address(world.mint_key),
        "payer_history": client.get_signatures_for_address(world.payer.pubkey()),
        "holders": client.get_token_accounts_by_owner(world.recipient.pubkey(), mint=world.mint_key),
        "largest": client.get_token_largest_accounts(world.mint_key),
    }


def _without_confirmation_status(state: dict[str, Any]) -> dict[str, Any]:
    # Only how far a status has progressed may differ after a restart.
    mint_history = [(i.signature, i.slot, i.err, i.memo, i.block_time) for i in state["mint_history"]]
    return {**state, "mint_history": mint_history,
            "payer_history": [(i.signature, i.slot, i.err) for i in state["payer_history"]]}


def test_restart_keeps_transactions_balances_and_signatures(own_chain: ChainProcess) -> None:
    def connect() -> SolanaRpcClient:
        return SolanaRpcClient([own_chain.rpc_url], registry=CollectorRegistry())

    with connect() as client:
        world = make_token_world(client)
        signatures = [_transfer(client, world, amount) for amount in (1, 22, 333)]
        before = _observed(client, world, signatures)
        slot_before = client.get_slot("processed")
        stale_blockhash = client.get_latest_blockhash().blockhash
    assert before["tokens"][1].amount == 356
    assert all(tx is not None for tx in before["transactions"])

    own_chain.kill()  # SIGKILL: nothing but the journal already on disk
    own_chain.start()
    with connect() as client:
        assert _without_confirmation_status(_observed(client, world, signatures)) == \
            _without_confirmation_status(before)
        assert client.get_slot("processed") > slot_before, "slots keep increasing across restarts"
        # A blockhash handed out before the restart is still good for its ~150 slots.
        ixs = spl.transfer(world.payer.pubkey(), world.mint_key, world.recipient.pubkey(), 4000, DECIMALS)
        signatures.append(client.send_transaction(spl.sign(ixs, world.payer, stale_blockhash)))
        client.confirm(signatures[-1])
        before = _observed(client, world, signatures)

    own_chain.stop()  # SIGTERM: writes an account snapshot on the way out
    own_chain.start()
    with connect() as client:
        assert _without_confirmation_status(_observed(client, world, signatures)) == \
            _without_confirmation_status(before)
        signatures.append(_transfer(client, world, 50_000))
        before = _observed(client, world, signatures)

    own_chain.kill()  # snapshot + the journal's tail after it
    own_chain.start()
    with connect() as client:
        after = _observed(client, world, signatures)
        assert _without_confirmation_status(after) == _without_confirmation_status(before)
        assert after["tokens"][1].amount == 1 + 22 + 333 + 4000 + 50_000
        # The restored chain keeps working.
        _transfer(client, world, 7)
        assert client.get_token_account_balance(spl.token_account(world.recipient.pubkey(), world.mint_key)).amount \
            == 54_363
