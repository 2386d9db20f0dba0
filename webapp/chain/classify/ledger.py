"""Who owned what, and what moved between owners, in one transaction.

Everything here is keyed by *owner* (the wallet or program account that
controls a token account), because the contract speaks of wallets, not of
token accounts. Wrapped SOL is folded into SOL: a wSOL token account's balance
is lamports its owner can unwrap at will.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from .movements import (
    AccountFunding,
    LamportTransfer,
    MintInitialized,
    Movement,
    TokenAccountOpened,
    TokenBurn,
    TokenMint,
    TokenTransfer,
    movements_of,
)
from .programs import WRAPPED_SOL_MINT
from .transaction import Instruction, Transaction


@dataclass(frozen=True)
class OwnerTransfer:
    """A token transfer seen from the owners' side."""

    sender: str
    recipient: str
    mint: str
    amount: int
    authority: str | None
    instruction: Instruction


@dataclass(frozen=True)
class SolFlow:
    """Lamports (native or wrapped) that changed owner."""

    sender: str
    recipient: str
    lamports: int


class Ledger:
    """Balances, movements and token-account ownership of one transaction."""

    def __init__(self, tx: Transaction) -> None:
        self.tx = tx
        self.movements: list[Movement] = [m for ix in tx.instructions for m in movements_of(ix)]
        self._accounts = self._token_accounts()
        self.token_deltas = self._token_deltas()
        self.transfers = self._owner_transfers()
        self.mints = [m for m in self.movements if isinstance(m, TokenMint)]
        self.burns = [m for m in self.movements if isinstance(m, TokenBurn)]
        self.new_mints = [m for m in self.movements if isinstance(m, MintInitialized)]
        self.sol_flows = self._sol_flows()

    # --- accounts ----------------------------------------------------------

    def _token_accounts(self) -> dict[str, tuple[str | None, str | None]]:
        accounts: dict[str, tuple[str | None, str | None]] = {}
        for move in self.movements:
            if isinstance(move, TokenAccountOpened):
                accounts[move.account] = (move.mint, move.owner)
        # Balances are authoritative: the node read them from the accounts.
        for balance in self.tx.pre_tokens + self.tx.post_tokens:
            accounts[balance.account] = (balance.mint, balance.owner)
        return accounts

    def owner_of(self, address: str) -> str:
        """The owner of a token account, or the address itself for anything else."""
        _mint, owner = self._accounts.get(address, (None, None))
        return owner or address

    def mint_of(self, account: str) -> str | None:
        return self._accounts.get(account, (None, None))[0]

    def is_token_account(self, address: str) -> bool:
        return address in self._accounts

    def is_mint(self, address: str) -> bool:
        return any(mint == address for mint, _owner in self._accounts.values())

    def accounts_owned_by(self, owner: str) -> list[str]:
        return [a for a, (_mint, o) in self._accounts.items() if o == owner]

    # --- balances ------------------------------------------------------------

    def _token_deltas(self) -> dict[tuple[str, str], int]:
        deltas: dict[tuple[str, str], int] = defaultdict(int)
        for balance in self.tx.post_tokens:
            deltas[(balance.owner or balance.account, balance.mint)] += balance.amount
        for balance in self.tx.pre_tokens:
            deltas[(balance.owner or balance.account, balance.mint)] -= balance.amount
        return {key: value for key, value in deltas.items() if value}

    def lamport_delta(self, address: str) -> int:
        return self.tx.post_lamports.get(address, 0) - self.tx.pre_lamports.get(address, 0)

    def sol_value_change(self, owner: str) -> int:
        """Native lamports plus wrapped SOL gained by an owner (a pool, a curve)."""
        wrapped = self.token_deltas.get((owner, WRAPPED_SOL_MINT), 0)
        return self.lamport_delta(owner) + wrapped

    def own_sol_change(self, wallet: str) -> int:
        """A wallet's SOL gain with the network fee and rent taken out.

        Lamports parked in the wallet's own token accounts (ATA rent, wrapped
        SOL) still belong to it, so they are added back; rent it paid to open
        accounts it does not own (a mint, a curve, someone else's ATA) is a
        cost of opening them, not a payment to anyone.
        """
        change = self.lamport_delta(wallet)
        if wallet == self.tx.fee_payer:
            change += self.tx.fee
        change += sum(self.lamport_delta(a) for a in self.accounts_owned_by(wallet) if a != wallet)
        change += sum(
            move.lamports for move in self.movements
            if isinstance(move, AccountFunding)
            and move.funder == wallet
            and self.owner_of(move.account) != wallet
        )
        return change

    # --- movements between owners ---------------------------------------------

    def _owner_transfers(self) -> list[OwnerTransfer]:
        transfers = []
        for move in self.movements:
            if not isinstance(move, TokenTransfer):
                continue
            mint = move.mint or self.mint_of(move.source) or self.mint_of(move.destination)
            if mint is None:
                continue  # neither side is a token account we know: nothing to attribute
            transfers.append(
                OwnerTransfer(
                    sender=self.owner_of(move.source),
                    recipient=self.owner_of(move.destination),
                    mint=mint,
                    amount=move.amount,
                    authority=move.authority,
                    instruction=move.instruction,
                )
            )
        return transfers

    def token_transfers(self) -> list[OwnerTransfer]:
        """Transfers of real tokens (wrapped SOL is SOL, see ``sol_flows``)."""
        return [t for t in self.transfers if t.mint != WRAPPED_SOL_MINT and t.amount > 0]

    def _sol_flows(self) -> list[SolFlow]:
        flows = []
        for move in self.movements:
            if isinstance(move, LamportTransfer):
                flows.append(
                    SolFlow(self.owner_of(move.source), self.owner_of(move.destination), move.lamports)
                )
        for transfer in self.transfers:
            if transfer.mint == WRAPPED_SOL_MINT:
                flows.append(SolFlow(transfer.sender, transfer.recipient, transfer.amount))
        return [f for f in flows if f.sender != f.recipient and f.lamports > 0]

    def sol_received_from(self, wallet: str, others: set[str]) -> int:
        """Net lamports ``wallet`` got from ``others`` (negative: it paid them)."""
        net = 0
        for flow in self.sol_flows:
            if flow.recipient == wallet and flow.sender in others:
                net += flow.lamports
            elif flow.sender == wallet and flow.recipient in others:
                net -= flow.lamports
        return net

    def minted_to(self, owner: str, mint: str) -> list[TokenMint]:
        return [m for m in self.mints if m.mint == mint and self.owner_of(m.destination) == owner]

    def burned_from(self, owner: str, mint: str) -> list[TokenBurn]:
        return [b for b in self.burns if b.mint == mint and self.owner_of(b.account) == owner]
