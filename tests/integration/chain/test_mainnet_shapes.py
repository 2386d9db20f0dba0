"""getTransaction from the local chain has the same structure as real mainnet answers.

Compared key by key (names, nesting, JSON types; not values) with the real
transactions in shared/fixtures/solana-mainnet, per encoding and version.
"""
from __future__ import annotations

import json
from typing import Any

import pytest
from solders.keypair import Keypair
from solders.message import Message
from solders.pubkey import Pubkey
from solders.system_program import CreateAccountWithSeedParams, TransferParams, create_account_with_seed
from solders.system_program import transfer as system_transfer
from solders.transaction import VersionedTransaction
from spl.token.constants import TOKEN_PROGRAM_ID
from spl.token.instructions import (
    close_account,
    create_associated_token_account,
    initialize_account,
    mint_to,
    set_authority,
    transfer,
)
from spl.token.models import (
    AuthorityType,
    CloseAccountParams,
    InitializeAccountParams,
    MintToParams,
    SetAuthorityParams,
)
from spl.token.models import (
    TransferParams as TokenTransferParams,
)

from tests.integration.chain.conftest import DECIMALS, REPO_ROOT, TokenWorld
from webapp.chain import spl
from webapp.chain.rpc import SolanaRpcClient

FIXTURES = REPO_ROOT.parent / "shared" / "fixtures" / "solana-mainnet"
# Keys a real node includes only sometimes: returnData when a program returned data,
# stackHeight is missing from answers of older nodes.
OPTIONAL_KEYS = {"returnData", "stackHeight"}


def _fixtures() -> list[tuple[str, dict[str, Any]]]:
    if not FIXTURES.is_dir():
        return []
    found = []
    for path in sorted(FIXTURES.glob("*/*.json")):
        if not path.name.endswith(".expected.json"):
            found.append((f"{path.parent.name}/{path.name}", json.loads(path.read_text())))
    return found


def _encoding(result: dict[str, Any]) -> str:
    keys = result["transaction"]["message"]["accountKeys"]
    return "jsonParsed" if keys and isinstance(keys[0], dict) else "json"


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    names: dict[type, str] = {dict: "object", list: "array", str: "string"}
    return names.get(type(value), "null")


def _counterpart(item: Any, candidates: list[Any]) -> tuple[Any, bool]:
    """(real element to compare with, exact match?) or (None, False) when mainnet shows no such element.

    Instructions come in two shapes (parsed and raw): each is compared with one
    of its own shape, and a parsed one with the same program and type if any.
    """
    if not isinstance(item, dict):
        return candidates[0], True
    same_keys = [c for c in candidates if isinstance(c, dict) and c.keys() == item.keys()]
    if isinstance(item.get("parsed"), dict):
        for candidate in same_keys:
            parsed = candidate.get("parsed")
            if isinstance(parsed, dict) and (candidate["program"], parsed.get("type")) == (
                    item["program"], item["parsed"]["type"]):
                return candidate, True
        return (same_keys[0], False) if same_keys else (None, False)
    if same_keys:
        return same_keys[0], True
    is_instruction = "programId" in item or "programIdIndex" in item
    return (None, False) if is_instruction else (candidates[0], True)


def compare(mine: Any, real: Any, path: str, problems: list[str]) -> None:
    if mine is None or real is None:
        return  # nullability is per value (err, uiAmount, blockTime...), not structure
    if _kind(mine) != _kind(real):
        problems.append(f"{path}: {_kind(mine)} here, {_kind(real)} on mainnet")
        return
    if isinstance(mine, dict):
        for key in sorted(mine.keys() | real.keys()):
            if key not in real or key not in mine:
                if key not in OPTIONAL_KEYS:
                    problems.append(f"{path}.{key}: {'missing here' if key not in mine else 'not on mainnet'}")
                continue
            compare(mine[key], real[key], f"{path}.{key}", problems)
    elif isinstance(mine, list) and mine and real:
        for index, item in enumerate(mine):
            counterpart, exact = _counterpart(item, real)
            if counterpart is None:
                continue
            if not exact and isinstance(item, dict) and isinstance(item.get("parsed"), dict):
                # A parsed instruction mainnet has no example of: compare all but its `info`.
                item = {**item, "parsed": {k: v for k, v in item["parsed"].items() if k != "info"}}
                counterpart = {**counterpart, "parsed": {k: v for k, v in counterpart["parsed"].items()
                                                         if k != "info"}}
            compare(item, counterpart, f"{path}[{index}]", problems)


def _legacy_transfer(client: SolanaRpcClient, world: TokenWorld) -> str:
    blockhash = client.get_latest_blockhash().blockhash
    ixs = spl.transfer(world.payer.pubkey(), world.mint_key, world.recipient.pubkey(), 1, DECIMALS)
    message = Message.new_with_blockhash(ixs, world.payer.pubkey(), blockhash)
    signature = client.send_transaction(VersionedTransaction(message, [world.payer]))
    client.confirm(signature)
    return str(signature)


def _failed_v0(client: SolanaRpcClient, world: TokenWorld) -> str:
    """Transfers more than the payer holds; sent without preflight so it lands as failed."""
    blockhash = client.get_latest_blockhash().blockhash
    ixs = spl.transfer(world.payer.pubkey(), world.mint_key, world.recipient.pubkey(), world.supply + 1, DECIMALS)
    signature = client.send_transaction(spl.sign(ixs, world.payer, blockhash), skip_preflight=True)
    status = _wait_landed(client, str(signature))
    assert status.err is not None
    return str(signature)


def _wait_landed(client: SolanaRpcClient, signature: str) -> Any:
    import time

    for _ in range(200):
        status = client.get_signature_statuses([signature])[0]
        if status is not None and status.reached("confirmed"):
            return status
        time.sleep(0.02)
    raise AssertionError("transaction did not land")


def _many_programs_v0(client: SolanaRpcClient, world: TokenWorld) -> str:
    """One v0 transaction using the parsed instruction kinds seen in the mainnet samples."""
    payer, recipient, mint = world.payer.pubkey(), Keypair().pubkey(), world.mint_key
    new_mint = Keypair()
    temp = Pubkey.create_with_seed(payer, "temp", TOKEN_PROGRAM_ID)
    rent_account = client.get_minimum_balance_for_rent_exemption(165)
    rent_mint = client.get_minimum_balance_for_rent_exemption(spl.MINT_SIZE)
    payer_ata, recipient_ata = spl.token_account(payer, mint), spl.token_account(recipient, mint)
    ixs = [
        system_transfer(TransferParams(from_pubkey=payer, to_pubkey=recipient, lamports=1_000_000)),
        create_associated_token_account(payer, recipient, mint),
        transfer(TokenTransferParams(program_id=TOKEN_PROGRAM_ID, source=payer_ata, dest=recipient_ata,
                                     owner=payer, amount=5)),
        mint_to(MintToParams(program_id=TOKEN_PROGRAM_ID, mint=mint, dest=recipient_ata, mint_authority=payer,
                             amount=7)),
        create_account_with_seed(CreateAccountWithSeedParams(
            from_pubkey=payer, to_pubkey=temp, base=payer, seed="temp", lamports=rent_account, space=165,
            owner=TOKEN_PROGRAM_ID)),
        initialize_account(InitializeAccountParams(program_id=TOKEN_PROGRAM_ID, account=temp, mint=mint,
                                                   owner=payer)),
        close_account(CloseAccountParams(program_id=TOKEN_PROGRAM_ID, account=temp, dest=payer, owner=payer)),
        *spl.create_mint(payer, new_mint.pubkey(), payer, DECIMALS, rent_mint),
        set_authority(SetAuthorityParams(program_id=TOKEN_PROGRAM_ID, account=new_mint.pubkey(),
                                         authority=AuthorityType.MINT_TOKENS, current_authority=payer,
                                         new_authority=None)),
    ]
    blockhash = client.get_latest_blockhash().blockhash
    signature = client.send_transaction(spl.sign(ixs, world.payer, blockhash, [new_mint]))
    client.confirm(signature)
    return str(signature)


@pytest.fixture(scope="module")
def local_samples(client: SolanaRpcClient) -> dict[tuple[str, Any, bool], dict[str, Any]]:
    """Local getTransaction results keyed by (encoding, version, failed)."""
    from tests.integration.chain.conftest import make_token_world

    if not _fixtures():
        pytest.skip(f"mainnet fixtures not found in {FIXTURES}")
    world = make_token_world(client)
    samples = {}
    for builder, version in ((_legacy_transfer, "legacy"), (_many_programs_v0, 0), (_failed_v0, 0)):
        signature = builder(client, world)
        for encoding in ("json", "jsonParsed"):
            result = client.get_transaction(signature, encoding=encoding)
            assert result is not None and result["version"] == version
            samples[(encoding, version, builder is _failed_v0)] = result
    return samples


@pytest.mark.parametrize(("name", "real"), [pytest.param(*fixture) for fixture in _fixtures()] or [
    pytest.param("none", {}, marks=pytest.mark.skip(reason=f"mainnet fixtures not found in {FIXTURES}"))])
def test_get_transaction_matches_mainnet_structure(name: str, real: dict[str, Any],
                                                   local_samples: dict[tuple[str, Any, bool], dict[str, Any]]) -> None:
    failed = real["meta"]["err"] is not None
    mine = local_samples[(_encoding(real), real["version"], failed)]
    problems: list[str] = []
    compare(mine, real, "result", problems)
    assert not problems, f"{name}:\n" + "\n".join(problems)


def test_the_comparison_catches_a_renamed_key(local_samples: dict[tuple[str, Any, bool], dict[str, Any]]) -> None:
    real = dict(_fixtures())["spl_transfer/4zvFGpqjihSXgHdw.json"]
    mine = json.loads(json.dumps(local_samples[("json", "legacy", False)]))
    mine["meta"]["preBalance"] = mine["meta"].pop("preBalances")
    problems: list[str] = []
    compare(mine, real, "result", problems)
    assert any("preBalances" in p for p in problems)

