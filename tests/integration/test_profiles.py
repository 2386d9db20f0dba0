"""`/u/<wallet>`: every valid wallet has a page built from the index; amounts read as tokens and SOL."""
from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from flask import Flask
from solders.keypair import Keypair
from solders.signature import Signature

from webapp.extensions import db
from webapp.models import HolderAccount, IndexedTransaction, Payout, Token, TransactionEvent

MINT = str(Keypair().pubkey())
SYMBOL = "STKE"
NOW = datetime.now(UTC)


def _token(app: Flask) -> None:
    with app.app_context():
        db.session.add(Token(mint=MINT, name="Stake Me", symbol=SYMBOL, decimals=6, supply=10**15, supply_slot=0))
        db.session.commit()


def _event(wallet: str, label: str, slot: int, token_amount: int, sol_amount: int = 0) -> str:
    signature = str(Signature.new_unique())
    tx = IndexedTransaction(signature=signature, slot=slot, block_time=NOW - timedelta(minutes=slot), mints=[MINT])
    db.session.add(tx)
    db.session.flush()
    db.session.add(TransactionEvent(transaction_id=tx.id, position=0, signature=signature, slot=slot,
                                    block_time=tx.block_time, label=label, wallet=wallet, mint=MINT,
                                    token_amount=token_amount, sol_amount=sol_amount))
    return signature


def _text(html: str) -> str:
    """What a reader sees of some HTML: tags dropped, whitespace collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def _long_numbers(html: str, allowed: set[str]) -> list[str]:
    """Runs of 8+ digits (commas included) a reader sees in the page's main part, outside the addresses and
    signatures it shows."""
    text = _text(html.split('<main', 1)[1].split('</main>', 1)[0])
    for value in allowed:
        text = text.replace(value, "")
    return [run for run in re.findall(r"\d[\d,]{7,}", text) if len(run.replace(",", "")) >= 8]


def test_an_unstake_payout_is_labelled_and_shown_in_tokens(app, client, auth) -> None:
    keypair = auth.sign_in()
    wallet = str(keypair.pubkey())
    _token(app)
    signature = str(Signature.new_unique())
    with app.app_context():
        db.session.add(Payout(idempotency_key="unstake:1", wallet_name="stake_1", recipient=wallet, mint=MINT,
                              amount=400_000_000_000, reason="unstake", status="confirmed", signature=signature,
                              confirmed_at=NOW))
        db.session.add(Payout(idempotency_key="bounty:1", wallet_name="payout_hot", recipient=wallet, mint=MINT,
                              amount=2_500_000, reason="bounty", status="pending"))
        db.session.commit()
    reply = client.get(f"/u/{wallet}")
    assert reply.status_code == 200
    html = reply.get_data(as_text=True)
    rows = {_text(row) for row in html.split("<tr>")[1:]}
    unstake = next(row for row in rows if signature[:4] in row)
    assert "Unstaked" in unstake and f"400,000 {SYMBOL}" in unstake and "confirmed" in unstake
    bounty = next(row for row in rows if "Bounty reward" in row)
    assert f"2.5 {SYMBOL}" in bounty and "pending" in bounty
    assert "400,000,000,000" not in html and "base units" not in html
    assert _long_numbers(html, {wallet, MINT, signature}) == []


def test_a_wallet_that_never_signed_in_has_a_page_with_its_indexed_activity(app, client) -> None:
    wallet = str(Keypair().pubkey())
    _token(app)
    with app.app_context():
        bought = _event(wallet, "buy", 5, 1_250_500_000, sol_amount=250_000_000)
        burned = _event(wallet, "burn", 6, 10_000_000)
        db.session.add(HolderAccount(account=str(Keypair().pubkey()), mint=MINT, owner=wallet,
                                     amount=1_240_500_000, slot=6))
        db.session.commit()
    reply = client.get(f"/u/{wallet}")
    assert reply.status_code == 200
    html = reply.get_data(as_text=True)
    assert "Not a member yet" in html and "Member since" not in html
    assert "Bought" in html and "Burned" in html and "0.25" in html and "1,250.5" in html
    assert bought[:4] in html and burned[:4] in html
    assert "1,240.5" in html  # the holding, from the indexed holder accounts
    assert _long_numbers(html, {wallet, MINT, bought, burned}) == []


def test_a_member_page_says_member_since_and_shows_no_not_a_member_note(client, auth) -> None:
    wallet = str(auth.sign_in().pubkey())
    html = client.get(f"/u/{wallet}").get_data(as_text=True)
    assert "Member since" in html and "Not a member yet" not in html
    assert "No indexed activity yet" in html and "No payouts yet" in html


def test_an_invalid_address_is_a_clear_404(client) -> None:
    for text in ("unknownwallet", "0OIl" * 11, "1" * 44, "<script>"):
        reply = client.get(f"/u/{text}")
        assert reply.status_code == 404, text
        html = reply.get_data(as_text=True)
        assert "is not a Solana wallet address" in html and "<script>" not in html.split("<main", 1)[1]
