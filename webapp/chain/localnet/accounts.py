"""Account views LiteSVM lacks: state as of a commitment level, and token indexes.

LiteSVM holds only the latest state. To answer reads at `confirmed` or
`finalized` honestly, the chain keeps the pre-image of every account a
transaction changed until that change is finalized: the state as of slot C is
the pre-image of the first change after C, or the current state if none.
"""
from __future__ import annotations

from collections import deque
from collections.abc import Iterable

from solders.account import Account
from solders.pubkey import Pubkey

from webapp.chain.localnet.token_layout import TOKEN_PROGRAMS, decode_mint, decode_token_account


class AccountHistory:
    def __init__(self) -> None:
        self._changes: dict[Pubkey, list[tuple[int, Account | None]]] = {}
        self._order: deque[tuple[int, Pubkey]] = deque()

    def record(self, slot: int, key: Pubkey, previous: Account | None) -> None:
        changes = self._changes.setdefault(key, [])
        # Only the first change in a slot matters: reads are per slot.
        if changes and changes[-1][0] == slot:
            return
        changes.append((slot, previous))
        self._order.append((slot, key))

    def as_of(self, key: Pubkey, cutoff_slot: int, current: Account | None) -> Account | None:
        for slot, previous in self._changes.get(key, ()):
            if slot > cutoff_slot:
                return previous
        return current

    def changed_after(self, cutoff_slot: int) -> set[Pubkey]:
        return {key for slot, key in self._order if slot > cutoff_slot}

    def changed_in(self, slot: int) -> list[Pubkey]:
        return [key for changed_slot, key in self._order if changed_slot == slot]

    def prune(self, finalized_slot: int) -> None:
        """Forget changes at or before the finalized slot: no read needs them any more."""
        while self._order and self._order[0][0] <= finalized_slot:
            slot, key = self._order.popleft()
            changes = self._changes.get(key)
            if not changes:
                continue
            while changes and changes[0][0] <= slot:
                changes.pop(0)
            if not changes:
                del self._changes[key]


class TokenIndex:
    """Token accounts by owner and by mint (current state), and mint decimals."""

    def __init__(self) -> None:
        self.by_owner: dict[str, set[Pubkey]] = {}
        self.by_mint: dict[str, set[Pubkey]] = {}
        self._placed: dict[Pubkey, tuple[str, str]] = {}
        self._decimals: dict[str, int] = {}

    def update(self, key: Pubkey, account: Account | None) -> None:
        old = self._placed.pop(key, None)
        if old is not None:
            self.by_owner.get(old[0], set()).discard(key)
            self.by_mint.get(old[1], set()).discard(key)
        if account is None or account.owner not in TOKEN_PROGRAMS:
            return
        state = decode_token_account(account)
        if state is not None:
            self._placed[key] = (state.owner, state.mint)
            self.by_owner.setdefault(state.owner, set()).add(key)
            self.by_mint.setdefault(state.mint, set()).add(key)
            return
        mint = decode_mint(account)
        if mint is not None:
            self._decimals[str(key)] = mint.decimals

    def update_many(self, accounts: Iterable[tuple[Pubkey, Account | None]]) -> None:
        for key, account in accounts:
            self.update(key, account)

    def decimals(self, mint: str) -> int | None:
        return self._decimals.get(mint)

    def remember_decimals(self, mint: str, decimals: int) -> None:
        self._decimals[mint] = decimals
