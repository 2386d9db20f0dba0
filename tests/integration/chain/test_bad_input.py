"""Bad input gets the errors a real RPC node answers, and the node keeps running."""
from __future__ import annotations

import base64
import json
import os
import time
from typing import Any

import pytest
from solders.hash import Hash
from solders.keypair import Keypair
from solders.rpc.errors import SendTransactionPreflightFailureMessage
from solders.rpc.responses import SendTransactionResp
from solders.system_program import TransferParams, transfer
from solders.transaction import VersionedTransaction

from tests.integration.chain.conftest import DECIMALS, ChainProcess, TokenWorld
from webapp.chain import spl
from webapp.chain.rpc import SolanaRpcClient, SolanaRpcError


def _send(chain: ChainProcess, tx: VersionedTransaction | bytes, **config: Any) -> dict[str, Any]:
    raw = tx if isinstance(tx, bytes) else bytes(tx)
    return chain.rpc("sendTransaction", [base64.b64encode(raw).decode(), {"encoding": "base64", **config}])


def _error(reply: dict[str, Any]) -> dict[str, Any]:
    assert "error" in reply, reply
    # solders must read every error without panicking (it does for -32002 without data).
    SendTransactionResp.from_json(json.dumps(reply))
    return reply["error"]


def test_framing_errors(chain: ChainProcess) -> None:
    assert chain.post_raw("{not json") == {"jsonrpc": "2.0", "error": {"code": -32700, "message": "Parse error"},
                                           "id": None}
    assert chain.post_raw(json.dumps({"jsonrpc": "1.0", "id": 1, "method": "getHealth"}))["error"]["code"] == -32600
    assert chain.post_raw("[]")["error"]["code"] == -32600
    assert chain.post_raw("[1]")[0]["error"]["code"] == -32600
    assert chain.rpc("getNothing")["error"] == {"code": -32601, "message": "Method not found"}
    batch = chain.post_raw(json.dumps([{"jsonrpc": "2.0", "id": 1, "method": "getHealth"},
                                       {"jsonrpc": "2.0", "id": 2, "method": "nope"}]))
    assert [item["id"] for item in batch] == [1, 2]
    assert batch[0]["result"] == "ok" and batch[1]["error"]["code"] == -32601


@pytest.mark.parametrize(("params", "fragment"), [
    (["0OIl", {"encoding": "base58"}], "invalid base58 encoding"),
    (["***", {"encoding": "base64"}], "invalid base64 encoding"),
    (["A" * 2000, {"encoding": "base64"}], "too large"),
    ([base64.b64encode(os.urandom(1300)).decode()[:1644], {"encoding": "base64"}], "too large"),
    ([base64.b64encode(b"\x01\x02\x03").decode(), {"encoding": "base64"}], "failed to deserialize"),
    (["AQ==", {"encoding": "base32"}], "unsupported encoding"),
    ([], "missing field"),
])
def test_send_transaction_invalid_params(chain: ChainProcess, params: list[Any], fragment: str) -> None:
    error = _error(chain.rpc("sendTransaction", params))
    assert error["code"] == -32602 and fragment in error["message"]


def test_invalid_pubkey_and_signature_params(chain: ChainProcess) -> None:
    assert chain.rpc("getBalance", ["not-a-key"])["error"]["code"] == -32602
    assert chain.rpc("getBalance", ["1111"])["error"] == {"code": -32602, "message": "Invalid param: WrongSize"}
    assert chain.rpc("getTransaction", ["xyz"])["error"]["code"] == -32602
    assert chain.rpc("getSlot", [{"commitment": "sometimes"}])["error"]["code"] == -32602
    assert chain.rpc("getSignaturesForAddress", [str(Keypair().pubkey()), {"limit": 5000}])["error"]["code"] == -32602


def test_transaction_errors_match_a_real_node(chain: ChainProcess, client: SolanaRpcClient,
                                              token_world: TokenWorld) -> None:
    payer = token_world.payer
    blockhash = client.get_latest_blockhash().blockhash
    pay = transfer(TransferParams(from_pubkey=payer.pubkey(), to_pubkey=Keypair().pubkey(), lamports=10_000_000))

    unknown_hash = _error(_send(chain, spl.sign([pay], payer, Hash(os.urandom(32)))))
    assert unknown_hash["code"] == -32002 and unknown_hash["data"]["err"] == "BlockhashNotFound"
    assert unknown_hash["message"] == "Transaction simulation failed: Blockhash not found"
    parsed = SendTransactionResp.from_json(json.dumps(_send(chain, spl.sign([pay], payer, Hash(os.urandom(32))))))
    assert isinstance(parsed, SendTransactionPreflightFailureMessage)

    tampered = bytearray(bytes(spl.sign([pay], payer, blockhash)))
    tampered[5] ^= 0xFF
    assert _error(_send(chain, bytes(tampered))) == {
        "code": -32003, "message": "Transaction signature verification failure"}

    broke = Keypair()
    no_account = _error(_send(chain, spl.sign([transfer(TransferParams(
        from_pubkey=broke.pubkey(), to_pubkey=payer.pubkey(), lamports=1))], broke, blockhash)))
    assert no_account["code"] == -32002 and no_account["data"]["err"] == "AccountNotFound"

    too_much = transfer(TransferParams(from_pubkey=payer.pubkey(), to_pubkey=Keypair().pubkey(), lamports=10**18))
    insufficient = _error(_send(chain, spl.sign([too_much], payer, blockhash)))
    assert insufficient["data"]["err"] == {"InstructionError": [0, {"Custom": 1}]}
    assert insufficient["message"].endswith("Error processing Instruction 0: custom program error: 0x1")
    assert any("insufficient lamports" in line for line in insufficient["data"]["logs"])

    once = spl.sign([pay], payer, blockhash)
    assert _send(chain, once)["result"] == str(once.signatures[0])
    again = _error(_send(chain, once))
    assert again["code"] == -32002 and again["data"]["err"] == "AlreadyProcessed"
    # The app's client treats "already processed" on a retry as sent.
    assert client.send_transaction(once) == once.signatures[0]
    assert chain.rpc("getHealth")["result"] == "ok"


def test_preflight_failure_changes_nothing_and_skip_preflight_lands_failed(
        chain: ChainProcess, client: SolanaRpcClient, token_world: TokenWorld) -> None:
    payer = str(token_world.payer.pubkey())
    blockhash = client.get_latest_blockhash().blockhash
    ixs = spl.transfer(token_world.payer.pubkey(), token_world.mint_key, token_world.recipient.pubkey(),
                       token_world.supply + 1, DECIMALS)
    before = client.get_balance(payer, "processed")
    with pytest.raises(SolanaRpcError) as failure:
        client.send_transaction(spl.sign(ixs, token_world.payer, blockhash))
    assert failure.value.code == -32002
    assert failure.value.transaction_error == {"InstructionError": [1, {"Custom": 1}]}
    assert any("Tokenkeg" in line and "failed" in line for line in failure.value.logs)
    assert client.get_balance(payer, "processed") == before, "a refused transaction pays no fee"

    simulated = client.simulate_transaction(spl.sign(ixs, token_world.payer, blockhash))
    assert simulated["err"] == {"InstructionError": [1, {"Custom": 1}]} and simulated["logs"]

    signature = client.send_transaction(spl.sign(ixs, token_world.payer, blockhash), skip_preflight=True)
    for _ in range(100):
        status = client.get_signature_statuses([signature])[0]
        if status is not None:
            break
        time.sleep(0.02)
    assert status is not None and status.err == {"InstructionError": [1, {"Custom": 1}]}
    assert client.get_balance(payer, "processed") == before - 5000, "a landed failure pays its fee"


METHODS = ["getBalance", "getAccountInfo", "getMultipleAccounts", "getProgramAccounts", "getTokenAccountBalance",
           "getTokenAccountsByOwner", "getTokenLargestAccounts", "getTokenSupply", "getSignaturesForAddress",
           "getTransaction", "getSignatureStatuses", "sendTransaction", "simulateTransaction", "requestAirdrop",
           "getMinimumBalanceForRentExemption", "getFeeForMessage", "isBlockhashValid", "getLatestBlockhash",
           "getSlot", "getBlockHeight", "getBlockTime", "getEpochInfo"]
JUNK: list[Any] = [None, 7, -1, "", "x" * 300, [], {}, True, 1.5, {"encoding": 5}, {"commitment": 3},
                   {"filters": [{"memcmp": {"offset": "a"}}]}, [None], ["1" * 44, "2" * 88]]


@pytest.mark.parametrize("method", METHODS)
def test_junk_params_get_errors_not_crashes(chain: ChainProcess, method: str) -> None:
    for first in JUNK:
        for second in (None, {"encoding": "jsonParsed"}, "garbage", {"mint": 5}):
            params = [first] if second is None else [first, second]
            reply = chain.rpc(method, params)
            assert ("result" in reply) != ("error" in reply), reply
            if "error" in reply:
                assert reply["error"]["code"] != -32603, (method, params, reply)
    assert chain.rpc("getHealth")["result"] == "ok"
