"""Pure encodings of the local chain: base58, token amounts, error texts, the slot clock."""
from __future__ import annotations

import os

import pytest
from solders.pubkey import Pubkey

from webapp.chain.localnet.clock import BLOCKHASH_VALID_SLOTS, SlotClock, normalize_commitment
from webapp.chain.localnet.codec import b58decode, b58encode, ui_amount_string, ui_token_amount
from webapp.chain.localnet.errors import describe_transaction_error


def test_base58_round_trips_and_matches_solders() -> None:
    for data in (b"", b"\0", b"\0\0\x01", os.urandom(32), os.urandom(64)):
        assert b58decode(b58encode(data)) == data
    key = os.urandom(32)
    assert b58encode(key) == str(Pubkey(key))
    with pytest.raises(ValueError, match="InvalidCharacter"):
        b58decode("abc0")


@pytest.mark.parametrize(("amount", "decimals", "text"), [
    (4_881_197, 6, "4.881197"), (0, 6, "0"), (10**15, 6, "1000000000"), (5, 9, "0.000000005"),
    (1_500_000, 6, "1.5"), (7, 0, "7"),
])
def test_ui_amount_string(amount: int, decimals: int, text: str) -> None:
    assert ui_amount_string(amount, decimals) == text


def test_ui_token_amount_matches_the_rpc() -> None:
    assert ui_token_amount(4_881_197, 6) == {"amount": "4881197", "decimals": 6, "uiAmount": 4.881197,
                                             "uiAmountString": "4.881197"}
    assert ui_token_amount(0, 6)["uiAmount"] == 0.0
    assert ui_token_amount(0, 6, null_when_zero=True)["uiAmount"] is None


def test_transaction_error_texts() -> None:
    assert describe_transaction_error("BlockhashNotFound") == "Blockhash not found"
    assert describe_transaction_error({"InstructionError": [2, {"Custom": 6001}]}) == \
        "Error processing Instruction 2: custom program error: 0x1771"
    assert describe_transaction_error({"InstructionError": [0, "InsufficientFunds"]}) == \
        "Error processing Instruction 0: insufficient funds for instruction"
    assert "(1)" in describe_transaction_error({"InsufficientFundsForRent": {"account_index": 1}})


def test_slot_clock_commitments_and_blockhash_window() -> None:
    clock = SlotClock(b"genesis", 100, confirm_depth=1, finality_depth=4, now=1_700_000_000)
    first = str(clock.blockhash_at(100))
    assert clock.blockhash_slot(first) == 100
    for _ in range(10):
        clock.advance(now=1_700_000_001)
    assert (clock.commitment_slot("processed"), clock.commitment_slot("confirmed"),
            clock.commitment_slot("finalized")) == (110, 109, 106)
    assert clock.status_of(110) == (0, "processed")
    assert clock.status_of(108) == (2, "confirmed")
    assert clock.status_of(106) == (None, "finalized")
    for _ in range(BLOCKHASH_VALID_SLOTS):
        clock.advance()
    assert clock.blockhash_slot(first) is None, "a blockhash expires ~150 slots after its slot"
    # The same genesis derives the same blockhashes, so they survive restarts.
    assert str(SlotClock(b"genesis", 100).blockhash_at(100)) == first
    assert normalize_commitment("singleGossip") == "confirmed"
    with pytest.raises(ValueError):
        normalize_commitment("eventually")
