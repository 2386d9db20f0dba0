"""Trades, liquidity and creates on small built transactions, in both encodings.

What a wallet gave and got decides the label, whatever program did it: the
venue here is a made-up program that nobody decodes.
"""

from __future__ import annotations

import pytest
from solders.pubkey import Pubkey

from webapp.chain.classify import classify

from .test_classify_synthetic import (
    ALICE,
    ALICE_ATA,
    BOB,
    BOB_ATA,
    CURVE,
    CURVE_ATA,
    ENCODINGS,
    FEE,
    MINT,
    OTHER_MINT,
    RENT,
    SYSTEM,
    TOKEN,
    VENUE,
    WSOL,
    Holding,
    Ix,
    Scenario,
    addr,
    burn,
    create_ata,
    initialize_mint2,
    mint_to,
    only,
    render,
    spl_transfer,
    system_transfer,
    u64,
    venue_call,
)

VAULT, VAULT_ATA = addr("platform-vault"), addr("platform-vault-ata")
POOL, POOL_TOKENS, POOL_WSOL = addr("pool"), addr("pool-tokens"), addr("pool-wsol")
ALICE_WSOL, TIP, PROTOCOL_FEE = addr("alice-wsol"), addr("tip-account"), addr("protocol-fee")


def close_account(account: str, destination: str, owner: str) -> Ix:
    return Ix(TOKEN, [account, destination, owner], bytes([9]),
              {"type": "closeAccount", "info": {"account": account, "destination": destination,
                                                "owner": owner}})


def sync_native(account: str) -> Ix:
    return Ix(TOKEN, [account], bytes([17]), {"type": "syncNative", "info": {"account": account}})


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_platform_two_party_trade_is_one_buy_by_the_member(encoding: str) -> None:
    """Member pays the vault, the vault (also a signer) sends tokens back."""
    scenario = Scenario(
        signers=[ALICE, VAULT],
        instructions=[create_ata(ALICE, ALICE_ATA, ALICE, MINT),
                      system_transfer(ALICE, VAULT, 1_000_000_000),
                      spl_transfer(VAULT_ATA, ALICE_ATA, VAULT, 500)],
        lamports={ALICE: (5 * 10**9, 4 * 10**9 - FEE - RENT), VAULT: (1, 1_000_000_001),
                  ALICE_ATA: (0, RENT)},
        holdings=[Holding(VAULT_ATA, MINT, VAULT, 1_000, 500),
                  Holding(ALICE_ATA, MINT, ALICE, None, 500)],
    )
    event = only(classify(render(scenario, encoding)))
    assert (event.label, event.wallet, event.mint, event.token_amount) == ("buy", ALICE, MINT, 500)
    assert (event.sol_amount, event.counterparty) == (1_000_000_000, VAULT)


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_sell_paid_from_the_curves_own_lamports_excludes_tip_and_fee(encoding: str) -> None:
    """A program pays out of an account it owns: no transfer instruction, only balances."""
    scenario = Scenario(
        signers=[ALICE],
        instructions=[system_transfer(ALICE, TIP, 1_000_000),
                      venue_call([CURVE, CURVE_ATA, ALICE_ATA, ALICE, PROTOCOL_FEE],
                                 spl_transfer(ALICE_ATA, CURVE_ATA, ALICE, 10**9))],
        lamports={ALICE: (5_000_000, 5_000_000 - FEE - 1_000_000 + 990_000),
                  CURVE: (50_000_000, 49_000_000), PROTOCOL_FEE: (0, 10_000), TIP: (0, 1_000_000)},
        holdings=[Holding(CURVE_ATA, MINT, CURVE, 10**15, 10**15 + 10**9),
                  Holding(ALICE_ATA, MINT, ALICE, 10**9, 0)],
    )
    event = only(classify(render(scenario, encoding)))
    assert (event.label, event.wallet, event.token_amount) == ("sell", ALICE, 10**9)
    assert (event.sol_amount, event.counterparty, event.program) == (1_000_000, CURVE, VENUE)


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_buy_with_wrapped_sol_through_a_pool(encoding: str) -> None:
    """Wrap, swap, unwrap: the wrapping and the tip are not events, the price is exact."""
    scenario = Scenario(
        signers=[ALICE],
        instructions=[
            create_ata(ALICE, ALICE_WSOL, ALICE, WSOL),
            system_transfer(ALICE, ALICE_WSOL, 10**9),
            sync_native(ALICE_WSOL),
            create_ata(ALICE, ALICE_ATA, ALICE, MINT),
            venue_call([POOL, ALICE], spl_transfer(ALICE_WSOL, POOL_WSOL, ALICE, 10**9),
                       spl_transfer(POOL_TOKENS, ALICE_ATA, POOL, 5_000)),
            close_account(ALICE_WSOL, ALICE, ALICE),
            system_transfer(ALICE, TIP, 100_000),
        ],
        lamports={ALICE: (5 * 10**9, 4 * 10**9 - FEE - RENT - 100_000), ALICE_ATA: (0, RENT),
                  POOL_WSOL: (10**10, 11 * 10**9), TIP: (0, 100_000)},
        holdings=[Holding(ALICE_ATA, MINT, ALICE, None, 5_000),
                  Holding(POOL_WSOL, WSOL, POOL, 10**10, 11 * 10**9),
                  Holding(POOL_TOKENS, MINT, POOL, 10**6, 10**6 - 5_000)],
    )
    event = only(classify(render(scenario, encoding)))
    assert (event.label, event.wallet, event.mint, event.token_amount) == ("buy", ALICE, MINT, 5_000)
    assert (event.sol_amount, event.counterparty) == (10**9, POOL)


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_two_buyers_in_one_transaction_are_two_buys(encoding: str) -> None:
    scenario = Scenario(
        signers=[ALICE, BOB],
        instructions=[
            venue_call([CURVE, ALICE], spl_transfer(CURVE_ATA, ALICE_ATA, CURVE, 100),
                       system_transfer(ALICE, CURVE, 1_000)),
            venue_call([CURVE, BOB], spl_transfer(CURVE_ATA, BOB_ATA, CURVE, 200),
                       system_transfer(BOB, CURVE, 2_100)),
        ],
        lamports={ALICE: (10**9, 10**9 - FEE - 1_000), BOB: (10**9, 10**9 - 2_100),
                  CURVE: (10**9, 10**9 + 3_100)},
        holdings=[Holding(ALICE_ATA, MINT, ALICE, 0, 100), Holding(BOB_ATA, MINT, BOB, 0, 200),
                  Holding(CURVE_ATA, MINT, CURVE, 10**6, 10**6 - 300)],
    )
    events = classify(render(scenario, encoding))
    assert [(e.label, e.wallet, e.token_amount, e.sol_amount) for e in events] == [
        ("buy", ALICE, 100, 1_000), ("buy", BOB, 200, 2_100)]


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_create_with_a_first_buy_by_the_creator(encoding: str) -> None:
    new_mint = addr("new-mint")
    supply, bought = 10**15, 10**12
    scenario = Scenario(
        signers=[ALICE, new_mint],
        instructions=[
            venue_call([new_mint, CURVE, CURVE_ATA, ALICE], initialize_mint2(new_mint, CURVE),
                       create_ata(ALICE, CURVE_ATA, CURVE, new_mint),
                       mint_to(new_mint, CURVE_ATA, CURVE, supply)),
            create_ata(ALICE, ALICE_ATA, ALICE, new_mint),
            venue_call([CURVE, CURVE_ATA, ALICE_ATA, ALICE],
                       spl_transfer(CURVE_ATA, ALICE_ATA, CURVE, bought),
                       system_transfer(ALICE, CURVE, 30_000_000),
                       system_transfer(ALICE, PROTOCOL_FEE, 300_000)),
        ],
        lamports={ALICE: (5 * 10**9, 5 * 10**9 - FEE - 2 * RENT - 30_300_000 - 1_461_600),
                  CURVE: (1_000_000, 31_000_000), ALICE_ATA: (0, RENT), CURVE_ATA: (0, RENT),
                  new_mint: (0, 1_461_600), PROTOCOL_FEE: (0, 300_000)},
        holdings=[Holding(CURVE_ATA, new_mint, CURVE, None, supply - bought),
                  Holding(ALICE_ATA, new_mint, ALICE, None, bought)],
    )
    events = classify(render(scenario, encoding))
    assert [(e.label, e.wallet, e.mint, e.token_amount, e.sol_amount) for e in events] == [
        ("create", ALICE, new_mint, supply, 0), ("buy", ALICE, new_mint, bought, 30_000_000)]
    assert events[0].counterparty == CURVE


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_burning_lp_tokens_for_both_sides_is_liquidity_remove(encoding: str) -> None:
    lp_mint, alice_lp = addr("lp-mint"), addr("alice-lp")
    scenario = Scenario(
        signers=[ALICE],
        instructions=[
            create_ata(ALICE, ALICE_WSOL, ALICE, WSOL),
            venue_call([POOL, ALICE], burn(alice_lp, lp_mint, ALICE, 700),
                       spl_transfer(POOL_TOKENS, ALICE_ATA, POOL, 5_000),
                       spl_transfer(POOL_WSOL, ALICE_WSOL, POOL, 10**9)),
            close_account(ALICE_WSOL, ALICE, ALICE),
        ],
        lamports={ALICE: (5 * 10**9, 6 * 10**9 - FEE), POOL_WSOL: (11 * 10**9, 10**10)},
        holdings=[Holding(alice_lp, lp_mint, ALICE, 700, 0),
                  Holding(ALICE_ATA, MINT, ALICE, 0, 5_000),
                  Holding(POOL_WSOL, WSOL, POOL, 11 * 10**9, 10**10),
                  Holding(POOL_TOKENS, MINT, POOL, 10**6, 10**6 - 5_000)],
    )
    event = only(classify(render(scenario, encoding)))
    assert (event.label, event.wallet, event.mint, event.token_amount) == (
        "liquidity_remove", ALICE, lp_mint, 700)
    assert event.counterparty == POOL


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_token_for_token_is_a_swap(encoding: str) -> None:
    pool_other = addr("pool-other")
    alice_other = addr("alice-other")
    scenario = Scenario(
        signers=[ALICE],
        instructions=[venue_call([POOL, ALICE], spl_transfer(ALICE_ATA, POOL_TOKENS, ALICE, 40),
                                 spl_transfer(pool_other, alice_other, POOL, 9))],
        lamports={ALICE: (10**9, 10**9 - FEE)},
        holdings=[Holding(ALICE_ATA, MINT, ALICE, 40, 0), Holding(POOL_TOKENS, MINT, POOL, 0, 40),
                  Holding(alice_other, OTHER_MINT, ALICE, 0, 9),
                  Holding(pool_other, OTHER_MINT, POOL, 100, 91)],
    )
    event = only(classify(render(scenario, encoding)))
    assert (event.label, event.mint, event.token_amount) == ("swap", OTHER_MINT, 9)
    assert (event.other_mint, event.other_amount, event.sol_amount) == (MINT, 40, 0)


def create_account_with_seed(funder: str, account: str, lamports: int, seed: str = "temp") -> Ix:
    data = ((3).to_bytes(4, "little") + bytes(Pubkey.from_string(funder))
            + u64(len(seed)) + seed.encode() + u64(lamports) + u64(165)
            + bytes(Pubkey.from_string(TOKEN)))
    return Ix(SYSTEM, [funder, account, funder], data,
              {"type": "createAccountWithSeed",
               "info": {"source": funder, "newAccount": account, "base": funder, "seed": seed,
                        "lamports": lamports, "space": 165, "owner": TOKEN}})


def initialize_account(account: str, mint: str, owner: str) -> Ix:
    return Ix(TOKEN, [account, mint, owner, addr("rent-sysvar")], bytes([1]),
              {"type": "initializeAccount", "info": {"account": account, "mint": mint,
                                                     "owner": owner}})


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_depositing_both_sides_for_minted_lp_tokens_is_liquidity_add(encoding: str) -> None:
    """Token + SOL (through a temporary wrapped-SOL account) in, LP tokens minted out."""
    lp_mint, alice_lp = addr("lp-mint"), addr("alice-lp")
    scenario = Scenario(
        signers=[ALICE],
        instructions=[
            create_account_with_seed(ALICE, ALICE_WSOL, RENT + 10**9),
            initialize_account(ALICE_WSOL, WSOL, ALICE),
            venue_call([POOL, ALICE], spl_transfer(ALICE_ATA, POOL_TOKENS, ALICE, 5_000),
                       spl_transfer(ALICE_WSOL, POOL_WSOL, ALICE, 10**9),
                       mint_to(lp_mint, alice_lp, POOL, 123)),
            close_account(ALICE_WSOL, ALICE, ALICE),
        ],
        lamports={ALICE: (5 * 10**9, 4 * 10**9 - FEE), POOL_WSOL: (10**10, 11 * 10**9)},
        holdings=[Holding(ALICE_ATA, MINT, ALICE, 5_000, 0), Holding(alice_lp, lp_mint, ALICE, 0, 123),
                  Holding(POOL_WSOL, WSOL, POOL, 10**10, 11 * 10**9),
                  Holding(POOL_TOKENS, MINT, POOL, 0, 5_000)],
    )
    event = only(classify(render(scenario, encoding)))
    assert (event.label, event.wallet, event.mint, event.token_amount) == (
        "liquidity_add", ALICE, lp_mint, 123)
    assert (event.sol_amount, event.counterparty, event.program) == (0, POOL, VENUE)
