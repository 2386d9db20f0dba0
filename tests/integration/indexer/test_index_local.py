"""Real transfers, mints and burns on the local chain land once, labelled, and drive holders and supply."""
from __future__ import annotations

import copy
import time

from flask import Flask
from solders.signature import Signature
from sqlalchemy import func, select

from tests.conftest import landed_transaction
from tests.integration.indexer.conftest import DECIMALS, TokenWorld, make_token_world, send, transfer
from webapp.chain import spl
from webapp.chain.rpc import SolanaRpcClient
from webapp.extensions import db, solana_client
from webapp.models import HolderAccount, IndexedTransaction, Token, TransactionEvent
from webapp.services.indexer import backfill, finality, reads, store
from webapp.services.indexer.fetching import index_signatures
from webapp.services.indexer.tracking import track_mint


def _events(signature: str) -> list[TransactionEvent]:
    return list(db.session.scalars(select(TransactionEvent).where(TransactionEvent.signature == signature)
                                   .order_by(TransactionEvent.position)))


def _chain_balance(rpc: SolanaRpcClient, world: TokenWorld, owner: str) -> int:
    return sum(h.amount for h in rpc.get_token_accounts_by_owner(owner, mint=world.mint_key))


def test_transfer_mint_and_burn_are_indexed_once_with_holders(chain_app: Flask, rpc: SolanaRpcClient) -> None:
    world = make_token_world(rpc)
    payer, mint = world.payer, world.mint_key
    recipient = world.recipient.pubkey()
    with chain_app.app_context():
        track_mint(solana_client(), str(mint), name="Test", symbol="TST")
    sent = transfer(rpc, world, payer, recipient, 250)
    minted = send(rpc, spl.mint_to(payer.pubkey(), mint, payer.pubkey(), recipient, 1_000, DECIMALS), payer)
    burned = send(rpc, spl.burn(payer.pubkey(), mint, 100, DECIMALS), payer)
    with chain_app.app_context():
        count = backfill.index_now(solana_client(), [backfill.FollowedAddress(str(mint), "mint")])
        assert count == 4  # the creation (before tracking) and the three above

        [move] = _events(str(sent))
        assert (move.label, move.wallet, move.counterparty, int(move.token_amount)) == (
            "transfer", str(payer.pubkey()), str(recipient), 250)
        [issue] = _events(str(minted))
        assert (issue.label, issue.wallet, int(issue.token_amount)) == ("mint", str(recipient), 1_000)
        [destroy] = _events(str(burned))
        assert (destroy.label, destroy.wallet, int(destroy.token_amount)) == ("burn", str(payer.pubkey()), 100)

        holders = {h.owner: h.amount for h in reads.top_holders(str(mint))}
        assert holders == {str(payer.pubkey()): world.supply - 350, str(recipient): 1_250}
        assert holders == {owner: _chain_balance(rpc, world, owner) for owner in holders}
        assert reads.holder_count(str(mint)) == 2
        token = db.session.scalar(select(Token).where(Token.mint == str(mint)))
        assert token is not None
        assert int(token.supply) == world.supply + 900 == rpc.get_token_supply(mint).amount

        rows = db.session.scalar(select(func.count()).select_from(TransactionEvent))
        again = index_signatures([str(sent), str(minted), str(burned)], solana_client())
        assert again.indexed == [] and sorted(again.already) == sorted(map(str, (sent, minted, burned)))
        assert store.index_batch([landed_transaction(rpc, sent, encoding="jsonParsed")]).already == [str(sent)]
        assert db.session.scalar(select(func.count()).select_from(TransactionEvent)) == rows
        assert {h.owner: h.amount for h in reads.top_holders(str(mint))} == holders
        assert int(db.session.execute(select(Token.supply).where(Token.mint == str(mint))).scalar_one()) == \
            world.supply + 900


def test_finality_marks_final_and_undoes_a_dropped_transaction(chain_app: Flask, rpc: SolanaRpcClient) -> None:
    world = make_token_world(rpc)
    recipient = world.recipient.pubkey()
    with chain_app.app_context():
        track_mint(solana_client(), str(world.mint_key))
    sent = transfer(rpc, world, world.payer, recipient, 40)
    raw = landed_transaction(rpc, sent, encoding="jsonParsed")
    ghost = _dropped_copy(raw, extra=999)
    time.sleep(0.6)  # a few slots: everything above is finalized on the local chain
    with chain_app.app_context():
        backfill.index_now(solana_client(), [backfill.FollowedAddress(str(world.mint_key), "mint")])
        store.index_batch([ghost])
        assert reads.top_holders(str(world.mint_key))[-1].amount == 40 + 999  # the ghost moved the balance

        report = finality.finalize(solana_client())
        assert report.removed == [ghost["transaction"]["signatures"][0]]
        commitments = set(db.session.scalars(select(IndexedTransaction.commitment)))
        assert commitments == {"finalized"}
        assert _events(ghost["transaction"]["signatures"][0]) == []
        balances = {h.owner: h.amount for h in reads.top_holders(str(world.mint_key))}
        assert balances[str(recipient)] == 40 == _chain_balance(rpc, world, str(recipient))
        stale = db.session.scalar(select(func.count()).where(HolderAccount.stale.is_(True)))
        assert stale == 0


def _dropped_copy(raw: dict, extra: int) -> dict:
    """The same transfer under a signature the chain never saw, one slot later, moving `extra` more."""
    ghost = copy.deepcopy(raw)
    ghost["transaction"]["signatures"][0] = str(Signature.new_unique())
    ghost["slot"] = raw["slot"] + 1
    for balance in ghost["meta"]["postTokenBalances"]:
        amount = int(balance["uiTokenAmount"]["amount"])
        balance["uiTokenAmount"]["amount"] = str(amount + extra if amount == 40 else amount - extra)
    return ghost
