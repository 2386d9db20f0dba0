"""The local chain's ledger in process: recording, refusing, commitment reads, restore from disk."""
from __future__ import annotations

from pathlib import Path

from solders.keypair import Keypair
from solders.pubkey import Pubkey
from solders.system_program import TransferParams, transfer

from webapp.chain import spl
from webapp.chain.localnet.ledger import Rejection
from webapp.chain.localnet.node import LocalChain, LocalnetSettings
from webapp.chain.localnet.store import TxEntry


def _chain(path: Path) -> LocalChain:
    return LocalChain(LocalnetSettings(data_dir=path, finality_slots=4))


def _pay(chain: LocalChain, payer: Keypair, to: Pubkey, lamports: int, *,
         preflight: bool = True) -> TxEntry | Rejection:
    tx = spl.sign([transfer(TransferParams(from_pubkey=payer.pubkey(), to_pubkey=to, lamports=lamports))], payer,
                  chain.clock.blockhash_at(chain.clock.slot))
    return chain.ledger.execute(tx, bytes(tx), preflight=preflight)


def _lamports(chain: LocalChain, key: Pubkey, cutoff_slot: int | None = None) -> int:
    account = chain.ledger.account(key, cutoff_slot)
    assert account is not None, f"no account {key} on the ledger"
    return account.lamports


def test_records_balances_and_reads_by_commitment(tmp_path: Path) -> None:
    chain = _chain(tmp_path)
    payer, receiver = Keypair(), Keypair().pubkey()
    funded = chain.ledger.airdrop(payer.pubkey(), 10**9)
    assert isinstance(funded, TxEntry)
    chain.tick()
    entry = _pay(chain, payer, receiver, 5_000_000)
    assert isinstance(entry, TxEntry)
    record = chain.store.record(entry)
    assert record["meta"]["fee"] == 5000
    assert record["meta"]["preBalances"][:2] == [10**9, 0]
    assert record["meta"]["postBalances"][:2] == [10**9 - 5_000_000 - 5000, 5_000_000]
    finalized = chain.clock.commitment_slot("finalized")
    assert chain.ledger.account(receiver, finalized) is None, "not visible at finalized yet"
    for _ in range(4):
        chain.tick()
    assert _lamports(chain, receiver, chain.clock.commitment_slot("finalized")) == 5_000_000
    chain.close()


def test_refusals_change_nothing(tmp_path: Path) -> None:
    chain = _chain(tmp_path)
    payer = Keypair()
    chain.ledger.airdrop(payer.pubkey(), 10**9)
    refused = _pay(chain, payer, Keypair().pubkey(), 10**12)
    assert isinstance(refused, Rejection)
    assert refused.err == {"InstructionError": [0, {"Custom": 1}]} and refused.simulation["logs"]
    assert _lamports(chain, payer.pubkey()) == 10**9, "preflight failure: no fee"
    landed = _pay(chain, payer, Keypair().pubkey(), 10**12, preflight=False)
    assert isinstance(landed, TxEntry) and landed.err is not None
    assert _lamports(chain, payer.pubkey()) == 10**9 - 5000, "landed failure: fee only"
    tx = spl.sign([transfer(TransferParams(from_pubkey=payer.pubkey(), to_pubkey=payer.pubkey(), lamports=1))],
                  payer, chain.clock.blockhash_at(chain.clock.slot))
    assert isinstance(chain.ledger.execute(tx, bytes(tx), preflight=True), TxEntry)
    duplicate = chain.ledger.execute(tx, bytes(tx), preflight=False)
    assert isinstance(duplicate, Rejection) and duplicate.err == "AlreadyProcessed"
    chain.close()


def test_restart_replays_journal_and_snapshot(tmp_path: Path) -> None:
    chain = _chain(tmp_path)
    payer, receiver = Keypair(), Keypair().pubkey()
    chain.ledger.airdrop(payer.pubkey(), 10**9)
    first = _pay(chain, payer, receiver, 1_000_000)
    header, accounts = chain.capture_snapshot()
    chain.write_snapshot(header, accounts)
    second = _pay(chain, payer, receiver, 2_000_000)  # only in the journal's tail
    assert isinstance(first, TxEntry) and isinstance(second, TxEntry)
    slot = chain.clock.slot
    chain.journal.close()  # no clean close: as if killed

    restored = _chain(tmp_path)
    assert _lamports(restored, receiver) == 3_000_000
    assert _lamports(restored, payer.pubkey()) == 10**9 - 3_000_000 - 2 * 5000
    replayed = restored.store.get(first.signature)
    assert replayed is not None and replayed.slot == first.slot
    history = restored.store.signatures_for(str(receiver), before=None, until=None, limit=10, max_slot=10**9)
    assert [e.signature for e in history] == [second.signature, first.signature]
    assert restored.clock.slot > slot
    assert isinstance(_pay(restored, payer, receiver, 1), TxEntry)
    restored.close()


def test_old_statuses_need_search_transaction_history(tmp_path: Path) -> None:
    from webapp.chain.localnet.methods_transactions import STATUS_CACHE_SLOTS, get_signature_statuses

    chain = _chain(tmp_path)
    entry = chain.ledger.airdrop(Keypair().pubkey(), 10**9)
    assert isinstance(entry, TxEntry)
    assert get_signature_statuses(chain, [[entry.signature]])["value"][0]["slot"] == entry.slot
    for _ in range(STATUS_CACHE_SLOTS + 1):
        chain.tick()
    assert get_signature_statuses(chain, [[entry.signature]])["value"] == [None]
    found = get_signature_statuses(chain, [[entry.signature], {"searchTransactionHistory": True}])["value"][0]
    assert found["confirmationStatus"] == "finalized" and found["confirmations"] is None
    chain.close()
