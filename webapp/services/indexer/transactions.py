"""One `getTransaction` result turned into what the index stores (pure: no database, no network)."""
from __future__ import annotations

import json
from collections.abc import Container, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from webapp.chain.classify import ChainEvent, PlatformWallets, classify

TRADE_LABELS = frozenset({"buy", "sell"})


class UnreadableTransaction(ValueError):
    """The result lacks what every indexed row needs (a signature and a slot)."""


@dataclass(frozen=True)
class BalanceChange:
    """A token account's balance before and after the transaction (base units)."""

    account: str
    mint: str
    owner: str | None
    pre: int
    post: int


@dataclass(frozen=True)
class PreparedTransaction:
    signature: str
    slot: int
    block_time: datetime | None
    fee_payer: str | None
    fee: int
    error: str | None
    events: list[ChainEvent]
    # Balances of tracked mints' token accounts (empty for a failed transaction: it moved nothing).
    balances: list[BalanceChange] = field(default_factory=list)
    tracked_mints: frozenset[str] = frozenset()

    @property
    def failed(self) -> bool:
        return self.error is not None

    def supply_changes(self) -> dict[str, int]:
        """Minted minus burned per tracked mint: transfers cancel out in the sum of balances."""
        changes: dict[str, int] = {}
        for change in self.balances:
            changes[change.mint] = changes.get(change.mint, 0) + change.post - change.pre
        return {mint: delta for mint, delta in changes.items() if delta}

    def trades(self) -> list[tuple[int, ChainEvent]]:
        """(position, event) of each buy or sell of a tracked mint with both legs known."""
        return [(position, event) for position, event in enumerate(self.events)
                if event.label in TRADE_LABELS and event.mint in self.tracked_mints
                and event.token_amount > 0 and event.sol_amount > 0]

    def active_wallets(self) -> set[tuple[str, str]]:
        """(mint, wallet) pairs of wallets that acted on a tracked mint."""
        return {(event.mint, event.wallet) for event in self.events
                if event.mint in self.tracked_mints and event.wallet and event.label != "failed"}


def prepare(raw: Mapping[str, Any], tracked: Container[str], platform: PlatformWallets) -> PreparedTransaction:
    """Classify one transaction and read its tracked token balances."""
    signature, slot = _identity(raw)
    meta = raw.get("meta") or {}
    keys = account_keys(raw)
    error = meta.get("err")
    block_time = raw.get("blockTime")
    balances = [] if error is not None else token_balance_changes(meta, keys, tracked)
    events = classify(raw, platform=platform)
    mints = {change.mint for change in balances} | {e.mint for e in events if e.mint in tracked}
    return PreparedTransaction(
        signature=signature,
        slot=slot,
        block_time=datetime.fromtimestamp(block_time, UTC) if isinstance(block_time, int) else None,
        fee_payer=keys[0] if keys else None,
        fee=int(meta.get("fee") or 0),
        error=None if error is None else json.dumps(error, sort_keys=True),
        events=events,
        balances=balances,
        tracked_mints=frozenset(m for m in mints if m is not None),
    )


def _identity(raw: Mapping[str, Any]) -> tuple[str, int]:
    try:
        signature = raw["transaction"]["signatures"][0]
        slot = raw["slot"]
    except (KeyError, IndexError, TypeError) as exc:
        raise UnreadableTransaction(f"no signature or slot: {exc!r}") from None
    if not isinstance(signature, str) or not isinstance(slot, int):
        raise UnreadableTransaction("signature or slot has the wrong type")
    return signature, slot


def account_keys(raw: Mapping[str, Any]) -> list[str]:
    """Every account of the transaction in index order (static keys, then loaded writable, readonly)."""
    message = raw["transaction"]["message"]
    keys = message.get("accountKeys") or []
    if keys and isinstance(keys[0], dict):  # jsonParsed already lists loaded addresses
        return [key["pubkey"] for key in keys]
    loaded = (raw.get("meta") or {}).get("loadedAddresses") or {}
    return [*keys, *loaded.get("writable", []), *loaded.get("readonly", [])]


def token_balance_changes(meta: Mapping[str, Any], keys: list[str], tracked: Container[str]) -> list[BalanceChange]:
    """Pre/post balances of tracked mints' token accounts; an account closed here ends at 0."""
    pre = _balances(meta.get("preTokenBalances"), keys, tracked)
    post = _balances(meta.get("postTokenBalances"), keys, tracked)
    changes = []
    for account in dict.fromkeys([*pre, *post]):
        mint, owner, before = pre.get(account, (None, None, 0))
        after_mint, after_owner, after = post.get(account, (mint, owner, 0))
        changes.append(BalanceChange(account, str(after_mint), after_owner or owner, before, after))
    return changes


def _balances(entries: Any, keys: list[str], tracked: Container[str]) -> dict[str, tuple[str, str | None, int]]:
    found: dict[str, tuple[str, str | None, int]] = {}
    for entry in entries or ():
        mint = entry.get("mint")
        if mint not in tracked:
            continue
        index = entry["accountIndex"]
        found[keys[index]] = (mint, entry.get("owner") or None, int(entry["uiTokenAmount"]["amount"]))
    return found
