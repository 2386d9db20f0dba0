"""An SPL transfer sent and read back exactly, by the app's client and by solana-py."""
from __future__ import annotations

import asyncio
import json
from typing import Any

from solana.rpc.async_api import AsyncClient
from solana.rpc.commitment import Confirmed
from solana.rpc.models import TxOpts
from solders.rpc.responses import GetTransactionResp
from solders.signature import Signature
from solders.transaction_status import EncodedConfirmedTransactionWithStatusMeta

from tests.conftest import landed_transaction
from tests.integration.chain.conftest import DECIMALS, ChainProcess, TokenWorld
from webapp.chain import spl
from webapp.chain.rpc import SolanaRpcClient

LAMPORTS_PER_SIGNATURE = 5000


def _token_deltas(meta: dict[str, Any]) -> dict[tuple[str, str], int]:
    """post - pre token balance per (owner, mint), in base units."""
    deltas: dict[tuple[str, str], int] = {}
    for sign, key in ((-1, "preTokenBalances"), (1, "postTokenBalances")):
        for balance in meta[key]:
            owner_mint = (balance["owner"], balance["mint"])
            deltas[owner_mint] = deltas.get(owner_mint, 0) + sign * int(balance["uiTokenAmount"]["amount"])
    return {k: v for k, v in deltas.items() if v}


def _keys(result: dict[str, Any]) -> list[str]:
    keys = result["transaction"]["message"]["accountKeys"]
    return [k if isinstance(k, str) else k["pubkey"] for k in keys]


def _send_transfer(client: SolanaRpcClient, world: TokenWorld, amount: int) -> Signature:
    blockhash = client.get_latest_blockhash().blockhash
    ixs = spl.transfer(world.payer.pubkey(), world.mint_key, world.recipient.pubkey(), amount, DECIMALS)
    signature = client.send_transaction(spl.sign(ixs, world.payer, blockhash))
    client.confirm(signature, "confirmed")
    return signature


def test_app_client_reads_back_an_spl_transfer_to_the_base_unit(client: SolanaRpcClient,
                                                                 token_world: TokenWorld) -> None:
    payer = str(token_world.payer.pubkey())
    lamports_before = client.get_balance(payer)
    amount = 123_456_789
    signature = _send_transfer(client, token_world, amount)

    for encoding in ("json", "jsonParsed"):
        result = client.get_transaction(signature, encoding=encoding)
        assert result is not None
        meta = result["meta"]
        assert meta["err"] is None and meta["status"] == {"Ok": None}
        assert meta["fee"] == LAMPORTS_PER_SIGNATURE
        keys = _keys(result)
        assert keys[0] == payer
        balances = zip(keys, meta["preBalances"], meta["postBalances"], strict=True)
        lamport_deltas = {key: post - pre for key, pre, post in balances}
        rent = client.get_minimum_balance_for_rent_exemption(165)
        # The payer pays the fee and the recipient's new token account's rent.
        assert lamport_deltas[payer] == -(LAMPORTS_PER_SIGNATURE + rent)
        recipient_ata = str(spl.token_account(token_world.recipient.pubkey(), token_world.mint_key))
        assert lamport_deltas[recipient_ata] == rent
        mint = str(token_world.mint_key)
        assert _token_deltas(meta) == {(payer, mint): -amount, (str(token_world.recipient.pubkey()), mint): amount}
        assert meta["logMessages"] and meta["computeUnitsConsumed"] > 0
        assert meta["innerInstructions"], "creating the associated token account makes inner instructions"
        reply = GetTransactionResp.from_json(json.dumps({"jsonrpc": "2.0", "id": 1, "result": result}))
        assert isinstance(reply, GetTransactionResp), reply
        typed = reply.value
        assert isinstance(typed, EncodedConfirmedTransactionWithStatusMeta)
        assert typed.transaction.meta is not None and typed.transaction.meta.fee == LAMPORTS_PER_SIGNATURE

    parsed = landed_transaction(client, signature, encoding="jsonParsed")
    outer = parsed["transaction"]["message"]["instructions"]
    assert [ix["program"] for ix in outer] == ["spl-associated-token-account", "spl-token"]
    checked = outer[1]["parsed"]
    assert checked["type"] == "transferChecked"
    assert checked["info"]["tokenAmount"]["amount"] == str(amount)
    assert checked["info"]["authority"] == payer
    inner_types = [ix["parsed"]["type"] for ix in parsed["meta"]["innerInstructions"][0]["instructions"]]
    assert inner_types == ["getAccountDataSize", "createAccount", "initializeImmutableOwner", "initializeAccount3"]
    assert client.get_balance(payer) == lamports_before - LAMPORTS_PER_SIGNATURE - rent
    assert client.get_token_account_balance(recipient_ata).amount == amount


def test_solana_py_async_client_sends_and_reads_back(chain: ChainProcess, client: SolanaRpcClient,
                                                     token_world: TokenWorld) -> None:
    amount = 42

    async def scenario() -> tuple[Any, Any, Any]:
        async with AsyncClient(chain.rpc_url, commitment=Confirmed) as solana:
            blockhash = (await solana.get_latest_blockhash()).value.blockhash
            ixs = spl.transfer(token_world.payer.pubkey(), token_world.mint_key, token_world.recipient.pubkey(),
                               amount, DECIMALS)
            sent = await solana.send_transaction(spl.sign(ixs, token_world.payer, blockhash),
                                                 opts=TxOpts(preflight_commitment=Confirmed))
            await solana.confirm_transaction(sent.value, Confirmed, sleep_seconds=0.05)
            as_json = await solana.get_transaction(sent.value, "json", Confirmed, 0)
            as_parsed = await solana.get_transaction(sent.value, "jsonParsed", Confirmed, 0)
            ata = spl.token_account(token_world.recipient.pubkey(), token_world.mint_key)
            balance = await solana.get_token_account_balance(ata, Confirmed)
            return as_json, as_parsed, balance

    as_json, as_parsed, balance = asyncio.run(scenario())
    for response in (as_json, as_parsed):
        tx = response.value
        assert tx.transaction.meta.err is None
        assert tx.transaction.meta.fee == LAMPORTS_PER_SIGNATURE
        pre = {b.account_index: int(b.ui_token_amount.amount) for b in tx.transaction.meta.pre_token_balances}
        post = {b.account_index: int(b.ui_token_amount.amount) for b in tx.transaction.meta.post_token_balances}
        assert sorted(post[i] - pre.get(i, 0) for i in post) == [-amount, amount]
    assert balance.value.amount == str(amount) and balance.value.decimals == DECIMALS
    sent = str(as_json.value.transaction.transaction.signatures[0])
    assert client.get_signatures_for_address(token_world.mint_key)[0].signature == sent


def test_token_2022_transfer_sent_base58(chain: ChainProcess, client: SolanaRpcClient) -> None:
    from solders.keypair import Keypair
    from spl.token.constants import TOKEN_2022_PROGRAM_ID

    from webapp.chain.localnet.codec import b58encode

    payer, mint, recipient = Keypair(), Keypair(), Keypair()
    client.confirm(client.request_airdrop(payer.pubkey(), 10**10))
    blockhash = client.get_latest_blockhash().blockhash
    rent = client.get_minimum_balance_for_rent_exemption(spl.MINT_SIZE)
    program = TOKEN_2022_PROGRAM_ID
    ixs = spl.create_mint(payer.pubkey(), mint.pubkey(), payer.pubkey(), 9, rent, program)
    ixs += spl.mint_to(payer.pubkey(), mint.pubkey(), payer.pubkey(), payer.pubkey(), 10**12, 9, program)
    client.confirm(client.send_transaction(spl.sign(ixs, payer, blockhash, [mint])))

    tx = spl.sign(spl.transfer(payer.pubkey(), mint.pubkey(), recipient.pubkey(), 777, 9, program), payer, blockhash)
    reply = chain.rpc("sendTransaction", [b58encode(bytes(tx)), {"encoding": "base58"}])
    assert reply["result"] == str(tx.signatures[0])
    client.confirm(tx.signatures[0])
    parsed = landed_transaction(client, tx.signatures[0], encoding="jsonParsed")
    transfer_ix = parsed["transaction"]["message"]["instructions"][1]
    assert transfer_ix["program"] == "spl-token-2022" and transfer_ix["parsed"]["type"] == "transferChecked"
    balances = {b["owner"]: b for b in parsed["meta"]["postTokenBalances"]}
    assert balances[str(recipient.pubkey())]["programId"] == str(program)
    assert balances[str(recipient.pubkey())]["uiTokenAmount"]["amount"] == "777"
    holdings = client.get_token_accounts_by_owner(recipient.pubkey(), program_id=program)
    assert [(h.mint, h.amount) for h in holdings] == [(str(mint.pubkey()), 777)]
