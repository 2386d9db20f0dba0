"""Market simulator: demo wallets trading demo SPL tokens through the RPC, for live activity.

Everything goes through JSON-RPC (airdrops, real signed transactions), never
into LiteSVM directly, so the site, the listener and the indexer see exactly
what they would see on a real cluster. Wallets and mints persist in a state
file so restarts keep the same demo tokens.
"""
from __future__ import annotations

import json
import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from solders.hash import Hash
from solders.instruction import Instruction
from solders.keypair import Keypair
from solders.pubkey import Pubkey
from solders.signature import Signature

from webapp.chain import spl
from webapp.chain.rpc import SolanaRpcClient, SolanaRpcError, SolanaUnavailable

log = logging.getLogger(__name__)

LAMPORTS_PER_SOL = 1_000_000_000
WALLET_FLOAT = 20 * LAMPORTS_PER_SOL  # airdropped to each wallet, topped up when below a quarter
DEMO_DECIMALS = 6
DEMO_SUPPLY = 1_000_000_000 * 10**DEMO_DECIMALS
BLOCKHASH_REFRESH_SECONDS = 5.0
RESYNC_SECONDS = 30.0


@dataclass
class DemoToken:
    mint: Keypair
    creator: int  # index of the wallet holding the mint authority
    decimals: int = DEMO_DECIMALS

    @property
    def address(self) -> Pubkey:
        return self.mint.pubkey()


@dataclass
class MarketState:
    wallets: list[Keypair] = field(default_factory=list)
    tokens: list[DemoToken] = field(default_factory=list)

    def save(self, path: Path) -> None:
        body = {"wallets": [str(w) for w in self.wallets],
                "tokens": [{"mint": str(t.mint), "creator": t.creator, "decimals": t.decimals} for t in self.tokens]}
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(body, indent=2))

    @classmethod
    def load(cls, path: Path) -> MarketState:
        if not path.exists():
            return cls()
        body = json.loads(path.read_text())
        return cls([Keypair.from_base58_string(w) for w in body["wallets"]],
                   [DemoToken(Keypair.from_base58_string(t["mint"]), int(t["creator"]), int(t["decimals"]))
                    for t in body["tokens"]])


@dataclass
class SimulationStats:
    sent: int = 0
    rejected: int = 0
    by_action: dict[str, int] = field(default_factory=dict)

    def count(self, action: str) -> None:
        self.sent += 1
        self.by_action[action] = self.by_action.get(action, 0) + 1


class MarketSimulator:
    """Sends a mix of token transfers, mints and burns at `rate` transactions per second."""

    def __init__(self, client: SolanaRpcClient, *, wallets: int = 8, tokens: int = 3, rate: float = 2.0,
                 state_file: Path | None = None, rng: random.Random | None = None) -> None:
        self.client = client
        self.wallet_count = max(wallets, 2)
        self.token_count = max(tokens, 1)
        self.rate = rate
        self.state_file = state_file
        self.rng = rng or random.Random()
        self.state = MarketState.load(state_file) if state_file else MarketState()
        self.stats = SimulationStats()
        # Balances we expect, in base units: updated as we send, re-read from the chain now and then.
        self.holdings: dict[tuple[int, int], int] = {}
        self._blockhash: tuple[Hash, float] | None = None

    # --- setup -------------------------------------------------------------

    def setup(self) -> None:
        while len(self.state.wallets) < self.wallet_count:
            self.state.wallets.append(Keypair())
        self._save()
        pending = [self.client.request_airdrop(w.pubkey(), WALLET_FLOAT) for w in self.state.wallets
                   if self.client.get_balance(w.pubkey(), "processed") < WALLET_FLOAT // 4]
        for signature in pending:
            self.client.confirm(signature)
        while len(self.state.tokens) < self.token_count:
            self.launch_token()
        self.resync()

    def launch_token(self) -> DemoToken:
        """Create a demo mint and mint its whole supply to a random creator wallet."""
        creator = self.rng.randrange(len(self.state.wallets))
        token = DemoToken(Keypair(), creator)
        wallet = self.state.wallets[creator].pubkey()
        rent = self.client.get_minimum_balance_for_rent_exemption(spl.MINT_SIZE)
        ixs = spl.create_mint(wallet, token.address, wallet, token.decimals, rent)
        ixs += spl.mint_to(wallet, token.address, wallet, wallet, DEMO_SUPPLY, token.decimals)
        self.client.confirm(self._send(ixs, creator, "launch", [token.mint]))
        self.state.tokens.append(token)
        self._save()
        log.info("launched demo token %s", token.address)
        return token

    def resync(self) -> None:
        """Re-read every wallet's token balances from the chain."""
        self.holdings.clear()
        mints = {str(t.address): i for i, t in enumerate(self.state.tokens)}
        for w, wallet in enumerate(self.state.wallets):
            for holding in self.client.get_token_accounts_by_owner(wallet.pubkey(), program_id=spl.TOKEN_PROGRAM_ID,
                                                                   commitment="processed"):
                if holding.mint in mints:
                    self.holdings[(w, mints[holding.mint])] = holding.amount

    def _save(self) -> None:
        if self.state_file is not None:
            self.state.save(self.state_file)

    # --- actions -------------------------------------------------------------

    def blockhash(self) -> Hash:
        now = time.monotonic()
        if self._blockhash is None or now - self._blockhash[1] > BLOCKHASH_REFRESH_SECONDS:
            self._blockhash = (self.client.get_latest_blockhash("confirmed").blockhash, now)
        return self._blockhash[0]

    def _send(self, ixs: list[Instruction], payer: int, action: str, extra: list[Keypair] | None = None) -> Signature:
        tx = spl.sign(ixs, self.state.wallets[payer], self.blockhash(), extra or [])
        signature = self.client.send_transaction(tx)
        self.stats.count(action)
        return signature

    def _holder(self, token: int) -> tuple[int, int] | None:
        holders = [(w, amount) for (w, t), amount in self.holdings.items() if t == token and amount > 0]
        return self.rng.choice(holders) if holders else None

    def transfer(self, token_index: int) -> Signature | None:
        holder = self._holder(token_index)
        if holder is None:
            return None
        sender, balance = holder
        receiver = self.rng.choice([w for w in range(len(self.state.wallets)) if w != sender])
        amount = max(1, balance * self.rng.randint(1, 20) // 100)
        token = self.state.tokens[token_index]
        ixs = spl.transfer(self.state.wallets[sender].pubkey(), token.address,
                           self.state.wallets[receiver].pubkey(), amount, token.decimals)
        signature = self._send(ixs, sender, "transfer")
        self.holdings[(sender, token_index)] = balance - amount
        self.holdings[(receiver, token_index)] = self.holdings.get((receiver, token_index), 0) + amount
        return signature

    def mint(self, token_index: int) -> Signature:
        token = self.state.tokens[token_index]
        receiver = self.rng.randrange(len(self.state.wallets))
        amount = self.rng.randint(1, 10_000) * 10**token.decimals
        authority = self.state.wallets[token.creator].pubkey()
        ixs = spl.mint_to(authority, token.address, authority, self.state.wallets[receiver].pubkey(), amount,
                          token.decimals)
        signature = self._send(ixs, token.creator, "mint")
        self.holdings[(receiver, token_index)] = self.holdings.get((receiver, token_index), 0) + amount
        return signature

    def burn(self, token_index: int) -> Signature | None:
        holder = self._holder(token_index)
        if holder is None:
            return None
        owner, balance = holder
        amount = max(1, balance * self.rng.randint(1, 5) // 100)
        token = self.state.tokens[token_index]
        signature = self._send(spl.burn(self.state.wallets[owner].pubkey(), token.address, amount, token.decimals),
                               owner, "burn")
        self.holdings[(owner, token_index)] = balance - amount
        return signature

    def step(self) -> Signature | None:
        """One random market action on a random demo token."""
        token = self.rng.randrange(len(self.state.tokens))
        actions: list[tuple[float, Callable[[int], Signature | None]]] = [
            (0.7, self.transfer), (0.15, self.mint), (0.15, self.burn)]
        roll = self.rng.random()
        for weight, action in actions:
            if roll < weight:
                return action(token)
            roll -= weight
        return self.transfer(token)

    # --- loop ------------------------------------------------------------------

    def run(self, duration: float | None = None) -> SimulationStats:
        """Send at `rate` tx/s for `duration` seconds (None: until interrupted)."""
        interval = 1.0 / self.rate if self.rate > 0 else 1.0
        started = next_at = last_resync = time.monotonic()
        while duration is None or time.monotonic() - started < duration:
            try:
                self.step()
            except SolanaRpcError as error:
                # A stale local balance or a race: resync and carry on, as a trader would.
                self.stats.rejected += 1
                log.debug("simulated action refused: %s", error)
                self.resync()
            except SolanaUnavailable as error:
                log.warning("chain unavailable, pausing: %s", error)
                time.sleep(1.0)
            if time.monotonic() - last_resync > RESYNC_SECONDS:
                self.resync()
                last_resync = time.monotonic()
            next_at += interval
            time.sleep(max(0.0, next_at - time.monotonic()))
        return self.stats
