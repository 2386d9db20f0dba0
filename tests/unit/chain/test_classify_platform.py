"""The platform step: transfers involving the platform's wallets get their meaning."""

from __future__ import annotations

from dataclasses import replace

from webapp.chain.classify import ChainEvent, relabel_for_platform

PAYOUT = "PayoutWa11et1111111111111111111111111111111"
ESCROW = "StakeEscrow11111111111111111111111111111111"
MEMBER = "Member1111111111111111111111111111111111111"
STRANGER = "Stranger111111111111111111111111111111111111"
MINT = "Mint1111111111111111111111111111111111111111"


def transfer(sender: str, recipient: str, amount: int = 1_000) -> ChainEvent:
    return ChainEvent(signature="sig", slot=1, block_time=2, label="transfer", wallet=sender,
                      mint=MINT, token_amount=amount, counterparty=recipient)


def relabel(*events: ChainEvent) -> list[ChainEvent]:
    return relabel_for_platform(list(events), payout_wallets={PAYOUT}, stake_escrows={ESCROW})


def test_transfer_from_a_payout_wallet_is_a_payout_to_the_recipient() -> None:
    (event,) = relabel(transfer(PAYOUT, MEMBER, 250))
    assert (event.label, event.wallet, event.counterparty) == ("payout", MEMBER, PAYOUT)
    assert (event.mint, event.token_amount) == (MINT, 250)


def test_transfer_into_a_stake_escrow_is_a_stake_by_the_member() -> None:
    (event,) = relabel(transfer(MEMBER, ESCROW))
    assert (event.label, event.wallet, event.counterparty) == ("stake", MEMBER, ESCROW)


def test_transfer_out_of_a_stake_escrow_is_an_unstake_for_the_member() -> None:
    (event,) = relabel(transfer(ESCROW, MEMBER))
    assert (event.label, event.wallet, event.counterparty) == ("unstake", MEMBER, ESCROW)


def test_unrelated_events_and_platform_internal_moves_are_left_alone() -> None:
    ordinary = transfer(MEMBER, STRANGER)
    funding = transfer(PAYOUT, ESCROW)
    buy_from_payout = replace(transfer(PAYOUT, MEMBER), label="buy")
    assert relabel(ordinary, funding, buy_from_payout) == [ordinary, funding, buy_from_payout]


def test_relabel_keeps_order_and_count() -> None:
    events = [transfer(PAYOUT, MEMBER), transfer(MEMBER, STRANGER), transfer(MEMBER, ESCROW)]
    assert [e.label for e in relabel(*events)] == ["payout", "transfer", "stake"]
