"""Classifier behaviour on small transactions built here, in both encodings.

Each scenario is described once (instructions with their raw bytes *and* the
jsonParsed view an RPC node would give) and rendered as ``json`` (indexes,
base58 data, v0 lookup-table addresses in meta.loadedAddresses) and as
``jsonParsed``; both renderings must classify the same way.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

import pytest
from solders.pubkey import Pubkey

from webapp.chain.classify import ChainEvent, PlatformWallets, classify

TOKEN = "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA"
TOKEN_2022 = "TokenzQdBNbLqP5VEhdkAS6EPFLC1PHnBqCXEpPxuEb"
SYSTEM = "11111111111111111111111111111111"
ATA = "ATokenGPvbdGVxr1b2hvZbsiqW5xWH25efTNsLJA8knL"
WSOL = "So11111111111111111111111111111111111111112"
RENT = 2_039_280
FEE = 5_000
ENCODINGS = ["json", "jsonParsed"]


def addr(name: str) -> str:
    """A stable, valid address for a readable name."""
    return str(Pubkey.from_bytes(hashlib.sha256(name.encode()).digest()))


ALICE, BOB, CAROL = addr("alice"), addr("bob"), addr("carol")
MINT, OTHER_MINT = addr("mint"), addr("other-mint")
ALICE_ATA, BOB_ATA, CAROL_ATA = addr("alice-ata"), addr("bob-ata"), addr("carol-ata")
VENUE = addr("venue-program")
CURVE, CURVE_ATA = addr("curve"), addr("curve-ata")


def b58encode(data: bytes) -> str:
    alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
    number, out = int.from_bytes(data, "big"), ""
    while number:
        number, digit = divmod(number, 58)
        out = alphabet[digit] + out
    return "1" * (len(data) - len(data.lstrip(b"\0"))) + out


# --- instructions ------------------------------------------------------------


@dataclass
class Ix:
    program: str
    accounts: list[str]
    data: bytes
    parsed: dict[str, Any] | None = None  # what jsonParsed shows; None: raw there too
    inner: list[Ix] = field(default_factory=list)


def u64(value: int) -> bytes:
    return value.to_bytes(8, "little")


def spl_transfer(source: str, destination: str, authority: str, amount: int,
                 program: str = TOKEN) -> Ix:
    return Ix(program, [source, destination, authority], bytes([3]) + u64(amount),
              {"type": "transfer", "info": {"source": source, "destination": destination,
                                            "authority": authority, "amount": str(amount)}})


def spl_transfer_checked(source: str, mint: str, destination: str, authority: str,
                         amount: int, decimals: int = 6, program: str = TOKEN) -> Ix:
    token_amount = {"amount": str(amount), "decimals": decimals}
    return Ix(program, [source, mint, destination, authority],
              bytes([12]) + u64(amount) + bytes([decimals]),
              {"type": "transferChecked", "info": {"source": source, "mint": mint,
                                                   "destination": destination,
                                                   "authority": authority,
                                                   "tokenAmount": token_amount}})


def mint_to(mint: str, destination: str, authority: str, amount: int, program: str = TOKEN) -> Ix:
    return Ix(program, [mint, destination, authority], bytes([7]) + u64(amount),
              {"type": "mintTo", "info": {"mint": mint, "account": destination,
                                          "mintAuthority": authority, "amount": str(amount)}})


def burn(account: str, mint: str, authority: str, amount: int, program: str = TOKEN) -> Ix:
    return Ix(program, [account, mint, authority], bytes([8]) + u64(amount),
              {"type": "burn", "info": {"account": account, "mint": mint,
                                        "authority": authority, "amount": str(amount)}})


def initialize_mint2(mint: str, authority: str, decimals: int = 6) -> Ix:
    data = bytes([20, decimals]) + bytes(Pubkey.from_string(authority)) + bytes([0])
    return Ix(TOKEN, [mint], data,
              {"type": "initializeMint2", "info": {"mint": mint, "decimals": decimals,
                                                   "mintAuthority": authority}})


def system_transfer(source: str, destination: str, lamports: int) -> Ix:
    return Ix(SYSTEM, [source, destination], (2).to_bytes(4, "little") + u64(lamports),
              {"type": "transfer", "info": {"source": source, "destination": destination,
                                            "lamports": lamports}})


def create_ata(payer: str, account: str, wallet: str, mint: str) -> Ix:
    create = Ix(SYSTEM, [payer, account],
                (0).to_bytes(4, "little") + u64(RENT) + u64(165) + bytes(Pubkey.from_string(TOKEN)),
                {"type": "createAccount", "info": {"source": payer, "newAccount": account,
                                                   "lamports": RENT, "space": 165,
                                                   "owner": TOKEN}})
    init = Ix(TOKEN, [account, mint], bytes([18]) + bytes(Pubkey.from_string(wallet)),
              {"type": "initializeAccount3", "info": {"account": account, "mint": mint,
                                                      "owner": wallet}})
    return Ix(ATA, [payer, account, wallet, mint, SYSTEM, TOKEN], b"\x01",
              {"type": "createIdempotent", "info": {"source": payer, "account": account,
                                                    "wallet": wallet, "mint": mint}},
              inner=[create, init])


def venue_call(accounts: list[str], *inner: Ix) -> Ix:
    """An instruction of a program nobody decodes, doing its work through CPIs."""
    return Ix(VENUE, accounts, b"\x66\x06\x3d\x12", None, inner=list(inner))


# --- transactions -------------------------------------------------------------


@dataclass
class Holding:
    account: str
    mint: str
    owner: str
    pre: int | None  # None: the account did not exist (or was not a token account)
    post: int | None
    program: str = TOKEN


@dataclass
class Scenario:
    signers: list[str]
    instructions: list[Ix]
    lamports: dict[str, tuple[int, int]] = field(default_factory=dict)
    holdings: list[Holding] = field(default_factory=list)
    err: Any = None
    readonly_loaded: list[str] = field(default_factory=list)  # v0 lookup-table, read-only
    writable_loaded: list[str] = field(default_factory=list)  # v0 lookup-table, writable


def _walk(instructions: list[Ix]) -> list[Ix]:
    return [x for ix in instructions for x in [ix, *_walk(ix.inner)]]


def _account_order(s: Scenario) -> tuple[list[str], list[str]]:
    """(static keys, programs) in first-seen order; signers first, programs last."""
    programs = list(dict.fromkeys(ix.program for ix in _walk(s.instructions)))
    loaded = set(s.readonly_loaded) | set(s.writable_loaded)
    seen = list(dict.fromkeys(
        s.signers + [a for ix in _walk(s.instructions) for a in ix.accounts]
        + [h.account for h in s.holdings] + list(s.lamports)
    ))
    others = [a for a in seen if a not in programs and a not in loaded and a not in s.signers]
    static_programs = [p for p in programs if p not in loaded]
    return s.signers + others, static_programs


def render(s: Scenario, encoding: str) -> dict[str, Any]:
    writable, programs = _account_order(s)
    static = writable + programs
    keys = static + s.writable_loaded + s.readonly_loaded
    index = {key: i for i, key in enumerate(keys)}
    pre = [s.lamports.get(k, (1_000_000_000, 0))[0] for k in keys]
    post = [s.lamports.get(k, (1_000_000_000, 0))[1] if k in s.lamports else p
            for k, p in zip(keys, pre, strict=True)]

    def balance(h: Holding, amount: int) -> dict[str, Any]:
        return {"accountIndex": index[h.account], "mint": h.mint, "owner": h.owner,
                "programId": h.program,
                "uiTokenAmount": {"amount": str(amount), "decimals": 6,
                                  "uiAmount": None, "uiAmountString": str(amount)}}

    def instruction(ix: Ix, height: int | None) -> dict[str, Any]:
        if encoding == "jsonParsed":
            if ix.parsed is not None:
                return {"parsed": ix.parsed, "program": "x", "programId": ix.program,
                        "stackHeight": height}
            return {"accounts": ix.accounts, "data": b58encode(ix.data),
                    "programId": ix.program, "stackHeight": height}
        return {"accounts": [index[a] for a in ix.accounts], "data": b58encode(ix.data),
                "programIdIndex": index[ix.program], "stackHeight": height}

    def inner_of(ix: Ix, height: int) -> list[dict[str, Any]]:
        out = []
        for child in ix.inner:
            out.append(instruction(child, height))
            out.extend(inner_of(child, height + 1))
        return out

    inner = [{"index": i, "instructions": inner_of(ix, 2)}
             for i, ix in enumerate(s.instructions) if ix.inner]
    if encoding == "jsonParsed":
        account_keys: list[Any] = [
            {"pubkey": k, "signer": k in s.signers,
             "writable": k in writable or k in s.writable_loaded,
             "source": "lookupTable" if i >= len(static) else "transaction"}
            for i, k in enumerate(keys)
        ]
    else:
        account_keys = static
    message: dict[str, Any] = {
        "accountKeys": account_keys,
        "instructions": [instruction(ix, None) for ix in s.instructions],
        "recentBlockhash": addr("blockhash"),
        "header": {"numRequiredSignatures": len(s.signers), "numReadonlySignedAccounts": 0,
                   "numReadonlyUnsignedAccounts": len(programs)},
    }
    meta: dict[str, Any] = {
        "err": s.err, "status": {"Ok": None} if s.err is None else {"Err": s.err}, "fee": FEE,
        "preBalances": pre, "postBalances": post, "innerInstructions": inner,
        "preTokenBalances": [balance(h, h.pre) for h in s.holdings if h.pre is not None],
        "postTokenBalances": [balance(h, h.post) for h in s.holdings if h.post is not None],
        "logMessages": [], "rewards": [],
    }
    if encoding == "json":
        meta["loadedAddresses"] = {"writable": s.writable_loaded, "readonly": s.readonly_loaded}
    return {"slot": 42, "blockTime": 1_700_000_000, "version": 0 if keys != static else "legacy",
            "transaction": {"message": message, "signatures": [b58encode(b"\x07" * 64)]},
            "meta": meta}


def only(events: list[ChainEvent]) -> ChainEvent:
    assert len(events) == 1, events
    return events[0]


# --- scenarios -----------------------------------------------------------------------


def plain_transfer() -> Scenario:
    """Alice sends 250 tokens to Bob, opening Bob's token account for him."""
    return Scenario(
        signers=[ALICE],
        instructions=[
            create_ata(ALICE, BOB_ATA, BOB, MINT),
            spl_transfer_checked(ALICE_ATA, MINT, BOB_ATA, ALICE, 250),
        ],
        lamports={ALICE: (10_000_000, 10_000_000 - FEE - RENT), BOB_ATA: (0, RENT)},
        holdings=[Holding(ALICE_ATA, MINT, ALICE, 1_000, 750),
                  Holding(BOB_ATA, MINT, BOB, None, 250)],
    )


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_plain_transfer_is_one_transfer_event(encoding: str) -> None:
    event = only(classify(render(plain_transfer(), encoding)))
    assert (event.label, event.wallet, event.counterparty) == ("transfer", ALICE, BOB)
    assert (event.mint, event.token_amount, event.sol_amount) == (MINT, 250, 0)
    assert event.program == TOKEN
    assert (event.slot, event.block_time) == (42, 1_700_000_000)


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_platform_wallets_turn_a_transfer_into_a_payout(encoding: str) -> None:
    platform = PlatformWallets(payout_wallets=frozenset({ALICE}), stake_escrows=frozenset())
    event = only(classify(render(plain_transfer(), encoding), platform=platform))
    assert (event.label, event.wallet, event.counterparty) == ("payout", BOB, ALICE)
    assert (event.mint, event.token_amount) == (MINT, 250)


def test_platform_wallets_may_be_given_as_a_mapping() -> None:
    platform = {"payout_wallets": set(), "stake_escrows": {BOB}}
    event = only(classify(render(plain_transfer(), "json"), platform=platform))
    assert (event.label, event.wallet, event.counterparty) == ("stake", ALICE, BOB)


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_mint_to_is_a_mint_for_the_recipient(encoding: str) -> None:
    scenario = Scenario(
        signers=[ALICE],
        instructions=[mint_to(MINT, BOB_ATA, ALICE, 777)],
        lamports={ALICE: (10**9, 10**9 - FEE)},
        holdings=[Holding(BOB_ATA, MINT, BOB, 1, 778)],
    )
    event = only(classify(render(scenario, encoding)))
    assert (event.label, event.wallet, event.mint, event.token_amount) == ("mint", BOB, MINT, 777)
    assert event.counterparty == ALICE  # the mint authority


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_burn_is_a_burn_by_the_holder(encoding: str) -> None:
    scenario = Scenario(
        signers=[ALICE],
        instructions=[burn(ALICE_ATA, MINT, ALICE, 300, program=TOKEN_2022)],
        lamports={ALICE: (10**9, 10**9 - FEE)},
        holdings=[Holding(ALICE_ATA, MINT, ALICE, 1_000, 700, program=TOKEN_2022)],
    )
    event = only(classify(render(scenario, encoding)))
    assert (event.label, event.wallet, event.mint, event.token_amount) == ("burn", ALICE, MINT, 300)
    assert event.program == TOKEN_2022


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_failed_transaction_is_one_failed_event_for_the_fee_payer(encoding: str) -> None:
    scenario = plain_transfer()
    scenario.signers = [CAROL, ALICE]  # Carol pays the fee for Alice's transfer
    scenario.err = {"InstructionError": [1, {"Custom": 1}]}
    scenario.lamports = {CAROL: (10**9, 10**9 - FEE)}
    scenario.holdings = [Holding(ALICE_ATA, MINT, ALICE, 1_000, 1_000)]
    event = only(classify(render(scenario, encoding)))
    assert (event.label, event.wallet, event.mint) == ("failed", CAROL, None)
    assert (event.token_amount, event.sol_amount) == (0, 0)
    assert "Custom" in (event.reason or "")


@pytest.mark.parametrize(
    "garbage",
    [None, 17, "4zvFGpqj", [], {}, {"transaction": {}}, {"transaction": {"message": {}}, "meta": {}},
     {"transaction": {"message": {"accountKeys": [ALICE]}}, "meta": {"err": None}}],
)
def test_garbage_gives_one_other_event_with_a_reason(garbage: Any) -> None:
    event = only(classify(garbage))
    assert event.label == "other"
    assert event.reason


def test_truncated_instruction_data_gives_other_not_an_exception() -> None:
    document = render(plain_transfer(), "json")
    document["transaction"]["message"]["instructions"][1]["data"] = b58encode(bytes([12, 1]))
    event = only(classify(document))
    assert event.label == "other" and "unreadable" in (event.reason or "")


def test_json_v0_reads_accounts_from_lookup_tables() -> None:
    """Static keys, then loadedAddresses.writable, then .readonly, as indexes see them."""
    scenario = Scenario(
        signers=[ALICE],
        instructions=[spl_transfer_checked(ALICE_ATA, MINT, BOB_ATA, ALICE, 40)],
        lamports={ALICE: (10**9, 10**9 - FEE)},
        holdings=[Holding(ALICE_ATA, MINT, ALICE, 100, 60), Holding(BOB_ATA, MINT, BOB, 0, 40)],
        writable_loaded=[BOB_ATA],
        readonly_loaded=[MINT],
    )
    document = render(scenario, "json")
    assert document["meta"]["loadedAddresses"]["readonly"] == [MINT]
    assert BOB_ATA not in document["transaction"]["message"]["accountKeys"]
    event = only(classify(document))
    assert (event.label, event.wallet, event.counterparty) == ("transfer", ALICE, BOB)
    assert (event.mint, event.token_amount) == (MINT, 40)


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_transfer_to_self_takes_its_amount_from_the_instruction(encoding: str) -> None:
    scenario = Scenario(
        signers=[ALICE],
        instructions=[spl_transfer_checked(ALICE_ATA, MINT, ALICE_ATA, ALICE, 1_000)],
        lamports={ALICE: (10**9, 10**9 - FEE)},
        holdings=[Holding(ALICE_ATA, MINT, ALICE, 5_000, 5_000)],
    )
    event = only(classify(render(scenario, encoding)))
    assert (event.label, event.wallet, event.counterparty, event.token_amount) == (
        "transfer", ALICE, ALICE, 1_000)


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_one_transfer_event_per_recipient(encoding: str) -> None:
    scenario = Scenario(
        signers=[ALICE],
        instructions=[spl_transfer(ALICE_ATA, BOB_ATA, ALICE, 10),
                      spl_transfer(ALICE_ATA, CAROL_ATA, ALICE, 20),
                      spl_transfer(ALICE_ATA, BOB_ATA, ALICE, 5)],
        lamports={ALICE: (10**9, 10**9 - FEE)},
        holdings=[Holding(ALICE_ATA, MINT, ALICE, 100, 65), Holding(BOB_ATA, MINT, BOB, 0, 15),
                  Holding(CAROL_ATA, MINT, CAROL, 0, 20)],
    )
    events = classify(render(scenario, encoding))
    assert [(e.label, e.counterparty, e.token_amount) for e in events] == [
        ("transfer", BOB, 15), ("transfer", CAROL, 20)]


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_plain_sol_payment_is_a_transfer_of_lamports(encoding: str) -> None:
    scenario = Scenario(
        signers=[ALICE],
        instructions=[system_transfer(ALICE, BOB, 12_345)],
        lamports={ALICE: (10**9, 10**9 - FEE - 12_345), BOB: (0, 12_345)},
    )
    event = only(classify(render(scenario, encoding)))
    assert (event.label, event.wallet, event.counterparty) == ("transfer", ALICE, BOB)
    assert (event.mint, event.token_amount) == (WSOL, 12_345)
