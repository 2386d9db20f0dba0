"""Cluster, account and history methods answer like a validator, with honest commitment levels."""
from __future__ import annotations

import base64
import json
import time
from typing import Any, Protocol, TypeVar

from solders.compute_budget import set_compute_unit_limit, set_compute_unit_price
from solders.hash import Hash
from solders.keypair import Keypair
from solders.message import MessageV0, to_bytes_versioned
from solders.rpc.responses import (
    GetAccountInfoJsonParsedResp,
    GetEpochInfoResp,
    GetLatestBlockhashResp,
    GetMultipleAccountsResp,
    GetProgramAccountsResp,
    GetSignaturesForAddressResp,
    GetTokenAccountsByOwnerJsonParsedResp,
    GetVersionResp,
)
from solders.system_program import TransferParams, transfer

from tests.conftest import landed_transaction
from tests.integration.chain.conftest import DECIMALS, FINALITY_SLOTS, ChainProcess, TokenWorld
from webapp.chain import spl
from webapp.chain.rpc import SolanaRpcClient


class _Response(Protocol):
    @staticmethod
    def from_json(raw: str) -> object: ...


Resp = TypeVar("Resp", bound=_Response)


def _typed(response_class: type[Resp], reply: dict[str, Any]) -> Resp:
    """The reply parsed by solders; an error reply fails the test with the error."""
    parsed = response_class.from_json(json.dumps(reply))
    assert isinstance(parsed, response_class), parsed
    return parsed


def test_cluster_methods_parse_with_solders(chain: ChainProcess, client: SolanaRpcClient) -> None:
    assert chain.rpc("getHealth")["result"] == "ok"
    assert _typed(GetVersionResp, chain.rpc("getVersion")).value.solana_core
    latest = _typed(GetLatestBlockhashResp, chain.rpc("getLatestBlockhash", [{"commitment": "confirmed"}])).value
    assert latest.last_valid_block_height > client.get_block_height("confirmed")
    assert client.is_blockhash_valid(latest.blockhash)
    assert not client.is_blockhash_valid(Hash.new_unique())
    epoch = _typed(GetEpochInfoResp, chain.rpc("getEpochInfo")).value
    assert epoch.absolute_slot >= 0
    processed, confirmed, finalized = (client.get_slot(level) for level in ("processed", "confirmed", "finalized"))
    assert processed >= confirmed >= finalized
    assert client.get_minimum_balance_for_rent_exemption(165) == 2_039_280


def test_fee_for_message_is_the_fee_charged(client: SolanaRpcClient, token_world: TokenWorld) -> None:
    payer = token_world.payer
    blockhash = client.get_latest_blockhash().blockhash
    ixs = [set_compute_unit_limit(50_000), set_compute_unit_price(20_000),
           transfer(TransferParams(from_pubkey=payer.pubkey(), to_pubkey=Keypair().pubkey(), lamports=10**7))]
    message = MessageV0.try_compile(payer.pubkey(), ixs, [], blockhash)
    quoted = client.get_fee_for_message(message)
    signature = client.send_transaction(spl.sign(ixs, payer, blockhash))
    client.confirm(signature)
    charged = landed_transaction(client, signature)["meta"]["fee"]
    assert quoted == charged == 5000 + 1000  # 50k CU at 20k micro-lamports = 1000 lamports priority fee
    encoded = base64.b64encode(to_bytes_versioned(MessageV0.try_compile(payer.pubkey(), ixs, [], Hash.new_unique())))
    assert client.call("getFeeForMessage", [encoded.decode()])["value"] is None  # unknown blockhash


def test_commitment_levels_progress_and_reads_lag(chain: ChainProcess, client: SolanaRpcClient,
                                                  token_world: TokenWorld) -> None:
    payer = token_world.payer
    receiver = Keypair().pubkey()
    blockhash = client.get_latest_blockhash("processed").blockhash
    tx = spl.sign([transfer(TransferParams(from_pubkey=payer.pubkey(), to_pubkey=receiver, lamports=10**8))],
                  payer, blockhash)
    client.send_transaction(tx)
    batch = chain.post_raw(json.dumps([
        {"jsonrpc": "2.0", "id": level, "method": "getBalance", "params": [str(receiver), {"commitment": level}]}
        for level in ("processed", "finalized")]))
    balances = {item["id"]: item["result"]["value"] for item in batch}
    assert balances["processed"] == 10**8
    assert balances["finalized"] == 0, "not finalized yet: finalized reads must not see it"
    seen = []
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        status = client.get_signature_statuses([tx.signatures[0]])[0]
        assert status is not None and status.confirmation_status is not None
        seen.append((status.confirmation_status, status.confirmations))
        if status.confirmation_status == "finalized":
            break
        time.sleep(0.01)
    order = ["processed", "confirmed", "finalized"]
    levels = [order.index(level) for level, _ in seen]
    assert levels == sorted(levels) and seen[-1] == ("finalized", None)
    assert all(isinstance(count, int) and count < FINALITY_SLOTS for level, count in seen if level != "finalized")
    assert client.get_balance(receiver, "finalized") == 10**8


def test_account_queries(chain: ChainProcess, client: SolanaRpcClient, token_world: TokenWorld) -> None:
    payer, recipient, mint = token_world.payer.pubkey(), token_world.recipient.pubkey(), token_world.mint_key
    blockhash = client.get_latest_blockhash().blockhash
    client.confirm(client.send_transaction(spl.sign(spl.transfer(payer, mint, recipient, 250, DECIMALS),
                                                    token_world.payer, blockhash)))
    recipient_ata = spl.token_account(recipient, mint)

    info = _typed(GetAccountInfoJsonParsedResp, chain.rpc("getAccountInfo", [
        str(recipient_ata), {"encoding": "jsonParsed", "commitment": "confirmed"}])).value
    assert info is not None, "the recipient's token account is missing"
    parsed: Any = info.data.parsed  # solders types it as any JSON value; jsonParsed token accounts are objects
    assert parsed["info"]["tokenAmount"]["amount"] == "250"
    assert info.data.program == "spl-token"

    owned = _typed(GetTokenAccountsByOwnerJsonParsedResp, chain.rpc("getTokenAccountsByOwner", [
        str(recipient), {"mint": str(mint)}, {"encoding": "jsonParsed", "commitment": "confirmed"}])).value
    assert [str(item.pubkey) for item in owned] == [str(recipient_ata)]

    filters = [{"dataSize": 165}, {"memcmp": {"offset": 32, "bytes": str(recipient)}}]
    found = _typed(GetProgramAccountsResp, chain.rpc("getProgramAccounts", [
        "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA",
        {"encoding": "base64", "filters": filters, "commitment": "confirmed"}])).value
    assert [str(item.pubkey) for item in found] == [str(recipient_ata)]

    many = _typed(GetMultipleAccountsResp, chain.rpc("getMultipleAccounts", [
        [str(recipient_ata), str(Keypair().pubkey())], {"encoding": "base64", "commitment": "confirmed"}])).value
    assert many[0] is not None and many[1] is None

    largest = client.get_token_largest_accounts(mint)
    assert largest[0] == (str(spl.token_account(payer, mint)), token_world.supply - 250)
    assert client.get_token_supply(mint).amount == token_world.supply


def test_signatures_for_address_paging(chain: ChainProcess, client: SolanaRpcClient, token_world: TokenWorld) -> None:
    blockhash = client.get_latest_blockhash().blockhash
    sent = []
    for amount in range(1, 6):
        ixs = spl.transfer(token_world.payer.pubkey(), token_world.mint_key, token_world.recipient.pubkey(),
                           amount, DECIMALS)
        sent.append(str(client.send_transaction(spl.sign(ixs, token_world.payer, blockhash))))
    client.confirm(sent[-1])
    newest_first = [info.signature for info in client.get_signatures_for_address(token_world.recipient.pubkey())]
    assert newest_first == list(reversed(sent))
    page = client.get_signatures_for_address(token_world.recipient.pubkey(), before=sent[3], limit=2)
    assert [info.signature for info in page] == [sent[2], sent[1]]
    window = client.get_signatures_for_address(token_world.recipient.pubkey(), before=sent[4], until=sent[1])
    assert [info.signature for info in window] == [sent[3], sent[2]]
    typed = _typed(GetSignaturesForAddressResp, chain.rpc("getSignaturesForAddress", [
        str(token_world.recipient.pubkey()), {"limit": 1, "commitment": "confirmed"}])).value
    assert str(typed[0].signature) == sent[-1]
    assert chain.rpc("getSignaturesForAddress", [str(token_world.recipient.pubkey()),
                                                 {"commitment": "processed"}])["error"]["code"] == -32602


def test_simulate_options_and_binary_transaction_encodings(chain: ChainProcess, client: SolanaRpcClient,
                                                           token_world: TokenWorld) -> None:
    payer = token_world.payer
    receiver = Keypair().pubkey()
    pay = transfer(TransferParams(from_pubkey=payer.pubkey(), to_pubkey=receiver, lamports=3_000_000))
    stale = spl.sign([pay], payer, Hash.new_unique())
    encoded = base64.b64encode(bytes(stale)).decode()
    plain = chain.rpc("simulateTransaction", [encoded, {"encoding": "base64"}])["result"]["value"]
    assert plain["err"] == "BlockhashNotFound"
    replaced = chain.rpc("simulateTransaction", [encoded, {
        "encoding": "base64", "replaceRecentBlockhash": True,
        "accounts": {"addresses": [str(receiver)], "encoding": "base64"}}])["result"]["value"]
    assert replaced["err"] is None and replaced["replacementBlockhash"]["blockhash"]
    assert replaced["accounts"][0]["lamports"] == 3_000_000
    assert client.get_balance(receiver, "processed") == 0, "simulation changes nothing"

    blockhash = client.get_latest_blockhash().blockhash
    tx = spl.sign([pay], payer, blockhash)
    client.confirm(client.send_transaction(tx))
    for encoding in ("base64", "base58"):
        result = landed_transaction(client, tx.signatures[0], encoding=encoding)
        data, name = result["transaction"]
        assert name == encoding
        from webapp.chain.localnet.codec import b58decode

        raw = base64.b64decode(data) if encoding == "base64" else b58decode(data)
        assert raw == bytes(tx)
