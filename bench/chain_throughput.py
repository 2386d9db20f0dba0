"""Local chain throughput: SPL transfers over HTTP (with confirmation) vs LiteSVM in process.

    .venv/bin/python bench/chain_throughput.py --senders 16 --transactions 20000

Starts the local chain on free ports with a temporary data directory. Each
sender owns a funded wallet and token account and sends pre-signed
TransferChecked transactions one after another over a shared keep-alive pool;
a confirmer polls getSignatureStatuses (256 at a time) until every one is
`confirmed`. The same kind of transfers then go straight into a LiteSVM in
this process. Signing happens before the clock starts in both cases, so the
figures compare the chain, not the client's signing speed.
"""
from __future__ import annotations

import argparse
import asyncio
import base64
import sys
import tempfile
import time
from pathlib import Path

import aiohttp
from solders.keypair import Keypair
from solders.litesvm import LiteSVM
from solders.pubkey import Pubkey
from solders.transaction import VersionedTransaction

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from webapp.chain import spl  # noqa: E402
from webapp.chain.localnet.process import LocalChainProcess  # noqa: E402
from webapp.chain.rpc import SolanaRpcClient  # noqa: E402

DECIMALS = 6
SUPPLY = 10**15


def _setup_senders(client: SolanaRpcClient, senders: int) -> tuple[list[Keypair], Pubkey, Pubkey]:
    """Funded wallets, one mint, every sender holding tokens, and one recipient with a token account."""
    owner, mint, recipient = Keypair(), Keypair(), Keypair()
    wallets = [Keypair() for _ in range(senders)]
    for wallet in [owner, *wallets]:
        client.confirm(client.request_airdrop(wallet.pubkey(), 1_000 * 10**9))
    blockhash = client.get_latest_blockhash().blockhash
    rent = client.get_minimum_balance_for_rent_exemption(spl.MINT_SIZE)
    ixs = spl.create_mint(owner.pubkey(), mint.pubkey(), owner.pubkey(), DECIMALS, rent)
    ixs += spl.mint_to(owner.pubkey(), mint.pubkey(), owner.pubkey(), recipient.pubkey(), 1, DECIMALS)
    client.confirm(client.send_transaction(spl.sign(ixs, owner, blockhash, [mint])))
    for wallet in wallets:
        ixs = spl.mint_to(owner.pubkey(), mint.pubkey(), owner.pubkey(), wallet.pubkey(), SUPPLY, DECIMALS)
        client.confirm(client.send_transaction(spl.sign(ixs, owner, blockhash)))
    return wallets, mint.pubkey(), recipient.pubkey()


def _presign(wallet: Keypair, mint: Pubkey, recipient: Pubkey, count: int,
             blockhash: object) -> list[VersionedTransaction]:
    # Distinct amounts make distinct signatures.
    return [spl.sign(spl.transfer(wallet.pubkey(), mint, recipient, amount, DECIMALS, create_recipient_account=False),
                     wallet, blockhash) for amount in range(1, count + 1)]


async def _send_all(url: str, batches: list[list[VersionedTransaction]]) -> tuple[float, int, int]:
    """(seconds until all confirmed, confirmed count, send errors)."""
    outstanding: set[str] = set()
    errors = 0
    done_sending = asyncio.Event()
    connector = aiohttp.TCPConnector(limit=len(batches) + 4)
    async with aiohttp.ClientSession(connector=connector) as session:
        async def rpc(method: str, params: list[object]) -> dict[str, object]:
            body = {"jsonrpc": "2.0", "id": 1, "method": method, "params": params}
            async with session.post(url, json=body) as response:
                return await response.json()

        async def sender(batch: list[VersionedTransaction]) -> None:
            nonlocal errors
            for tx in batch:
                reply = await rpc("sendTransaction", [base64.b64encode(bytes(tx)).decode(),
                                                      {"encoding": "base64", "skipPreflight": False}])
                if "result" in reply:
                    outstanding.add(str(reply["result"]))
                else:
                    errors += 1

        async def confirmer() -> int:
            confirmed = 0
            while outstanding or not done_sending.is_set():
                pending = list(outstanding)[:256]
                if not pending:
                    await asyncio.sleep(0.01)
                    continue
                statuses = (await rpc("getSignatureStatuses", [pending]))["result"]["value"]  # type: ignore[index]
                for signature, status in zip(pending, statuses, strict=True):
                    if status and status["confirmationStatus"] in ("confirmed", "finalized"):
                        outstanding.discard(signature)
                        confirmed += 1
                await asyncio.sleep(0.02)
            return confirmed

        started = time.perf_counter()
        confirm_task = asyncio.create_task(confirmer())
        await asyncio.gather(*(sender(batch) for batch in batches))
        done_sending.set()
        confirmed = await confirm_task
        return time.perf_counter() - started, confirmed, errors


def _in_process(count: int) -> float:
    """The same TransferChecked transactions sent straight into a LiteSVM: tx/s."""
    svm = LiteSVM()
    wallet, mint, recipient = Keypair(), Keypair(), Keypair()
    svm.airdrop(wallet.pubkey(), 10**12)
    blockhash = svm.latest_blockhash()
    rent = svm.minimum_balance_for_rent_exemption(spl.MINT_SIZE)
    ixs = spl.create_mint(wallet.pubkey(), mint.pubkey(), wallet.pubkey(), DECIMALS, rent)
    ixs += spl.mint_to(wallet.pubkey(), mint.pubkey(), wallet.pubkey(), wallet.pubkey(), SUPPLY, DECIMALS)
    ixs += spl.mint_to(wallet.pubkey(), mint.pubkey(), wallet.pubkey(), recipient.pubkey(), 1, DECIMALS)
    assert not hasattr(svm.send_transaction(spl.sign(ixs, wallet, blockhash, [mint])), "err")
    txs = _presign(wallet, mint.pubkey(), recipient.pubkey(), count, blockhash)
    started = time.perf_counter()
    for tx in txs:
        result = svm.send_transaction(tx)
        if hasattr(result, "err"):
            raise RuntimeError(f"in-process transfer failed: {result}")
    return count / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--senders", type=int, default=16)
    parser.add_argument("--transactions", type=int, default=20_000, help="total transfers over HTTP")
    args = parser.parse_args()
    per_sender = args.transactions // args.senders
    with tempfile.TemporaryDirectory(prefix="chain-bench-") as data_dir:
        chain = LocalChainProcess(Path(data_dir) / "ledger", slot_ms=400, log_level="WARNING")
        chain.start()
        url = chain.rpc_url
        try:
            with SolanaRpcClient([url]) as client:
                wallets, mint, recipient = _setup_senders(client, args.senders)
                blockhash = client.get_latest_blockhash("processed").blockhash
            batches = [_presign(wallet, mint, recipient, per_sender, blockhash) for wallet in wallets]
            elapsed, confirmed, errors = asyncio.run(_send_all(url, batches))
        finally:
            chain.stop()
    http_rate = confirmed / elapsed
    direct_rate = _in_process(per_sender * args.senders)
    print(f"senders: {args.senders}, transfers: {per_sender * args.senders}, send errors: {errors}")
    print(f"HTTP sendTransaction + confirmation: {confirmed} confirmed in {elapsed:.2f}s = {http_rate:,.0f} tx/s")
    print(f"LiteSVM in process:                  {direct_rate:,.0f} tx/s")
    print(f"ratio HTTP / in-process:             {http_rate / direct_rate:.2f}")


if __name__ == "__main__":
    main()
