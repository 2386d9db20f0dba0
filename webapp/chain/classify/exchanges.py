"""What each signing wallet exchanged: buy, sell, swap, liquidity add/remove.

A wallet's net token changes (pre/post balances summed by owner and mint)
say what it gave up and what it received; SOL, native or wrapped, is the
money side. A wallet's trade is one event however many hops, fee transfers
or wrap/unwrap steps it took (only a wallet buying, or selling, several
different tokens for SOL at once gets one event per token).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from . import events as labels
from .events import ChainEvent, TxStamp
from .ledger import Ledger
from .programs import WRAPPED_SOL_MINT, pick_program
from .venues import (
    present_counterparty,
    sol_counterparties,
    sol_exchanged,
    token_counterparties,
    transfers_with,
)


@dataclass
class Outcome:
    """Events found, plus what they account for so later steps skip it."""

    events: list[tuple[int, ChainEvent]] = field(default_factory=list)
    settled_wallets: set[str] = field(default_factory=set)
    consumed: set[int] = field(default_factory=set)  # id() of mint/burn movements used


@dataclass(frozen=True)
class _Holdings:
    got: dict[str, int]
    gave: dict[str, int]
    sol: int  # lamports received from the venue side; negative when paid


def exchange_events(ledger: Ledger, stamp: TxStamp) -> Outcome:
    outcome = Outcome()
    for wallet in ledger.tx.signers:
        if wallet in outcome.settled_wallets:
            continue  # already the other side of an earlier signer's trade
        found = _wallet_exchange(ledger, wallet, stamp, outcome)
        if found:
            outcome.events.extend(found)
            outcome.settled_wallets.add(wallet)
    return outcome


def _token_changes(ledger: Ledger, wallet: str) -> dict[str, int]:
    return {
        mint: delta for (owner, mint), delta in ledger.token_deltas.items()
        if owner == wallet and mint != WRAPPED_SOL_MINT
    }


def _wallet_exchange(
    ledger: Ledger, wallet: str, stamp: TxStamp, outcome: Outcome
) -> list[tuple[int, ChainEvent]]:
    changes = _token_changes(ledger, wallet)
    if not changes:
        return []
    venues = token_counterparties(ledger, wallet)
    sol = sol_exchanged(ledger, wallet, venues)
    raw = _Holdings(
        got={m: d for m, d in changes.items() if d > 0},
        gave={m: -d for m, d in changes.items() if d < 0},
        sol=sol,
    )
    liquidity = _liquidity(ledger, wallet, raw, stamp, outcome)
    if liquidity is not None:
        return [liquidity]
    return _trade(ledger, wallet, _without_supply_changes(ledger, wallet, raw), stamp, outcome)


def _without_supply_changes(ledger: Ledger, wallet: str, holdings: _Holdings) -> _Holdings:
    """Take out tokens minted to or burned from the wallet: those are mint/burn events."""
    net: dict[str, int] = {}
    for mint in set(holdings.got) | set(holdings.gave):
        delta = holdings.got.get(mint, 0) - holdings.gave.get(mint, 0)
        delta -= sum(m.amount for m in ledger.minted_to(wallet, mint))
        delta += sum(b.amount for b in ledger.burned_from(wallet, mint))
        net[mint] = delta
    return _Holdings(
        got={m: d for m, d in net.items() if d > 0},
        gave={m: -d for m, d in net.items() if d < 0},
        sol=holdings.sol,
    )


def _liquidity(
    ledger: Ledger, wallet: str, h: _Holdings, stamp: TxStamp, outcome: Outcome
) -> tuple[int, ChainEvent] | None:
    """LP tokens minted to a wallet that paid in two assets, or burned for two back."""
    for mint, amount in h.got.items():
        minted = ledger.minted_to(wallet, mint)
        paid_in = len([m for m in h.gave if m != mint]) + (1 if h.sol < 0 else 0)
        if minted and paid_in >= 2:
            outcome.consumed.update(id(m) for m in minted)
            given = set(h.gave)
            return _liquidity_event(ledger, wallet, labels.LIQUIDITY_ADD, mint, amount,
                                    given, [m.instruction.path for m in minted], stamp)
    for mint in h.gave:
        burned = ledger.burned_from(wallet, mint)
        paid_out = len([m for m in h.got if m != mint]) + (1 if h.sol > 0 else 0)
        if burned and paid_out >= 2:
            outcome.consumed.update(id(b) for b in burned)
            received = set(h.got)
            return _liquidity_event(ledger, wallet, labels.LIQUIDITY_REMOVE, mint,
                                    sum(b.amount for b in burned), received,
                                    [b.instruction.path for b in burned], stamp)
    return None


def _liquidity_event(
    ledger: Ledger, wallet: str, label: str, lp_mint: str, amount: int,
    pool_mints: set[str], lp_paths: list[tuple[str, ...]], stamp: TxStamp,
) -> tuple[int, ChainEvent]:
    legs = transfers_with(ledger, wallet, pool_mints - {lp_mint})
    pool = token_counterparties(ledger, wallet, pool_mints - {lp_mint})
    sol_side = sol_counterparties(ledger, wallet)
    venue = pool[0] if pool else (sol_side[0] if sol_side else None)
    paths = [t.instruction.path for t in legs] + lp_paths
    event = stamp.event(
        label=label, wallet=wallet, mint=lp_mint, token_amount=amount,
        counterparty=present_counterparty(ledger, venue, wallet), program=pick_program(paths),
    )
    return _first_position(ledger, wallet, pool_mints | {lp_mint}), event


def _trade(
    ledger: Ledger, wallet: str, h: _Holdings, stamp: TxStamp, outcome: Outcome
) -> list[tuple[int, ChainEvent]]:
    if len(h.got) == 1 and len(h.gave) == 1:
        return [_swap(ledger, wallet, h, stamp, outcome)]
    if h.got and not h.gave and h.sol < 0:
        return _buy_or_sell(ledger, wallet, labels.BUY, h.got, -h.sol, stamp, outcome)
    if h.gave and not h.got and h.sol > 0:
        return _buy_or_sell(ledger, wallet, labels.SELL, h.gave, h.sol, stamp, outcome)
    if h.got and h.gave:
        event = stamp.event(
            label=labels.OTHER, wallet=wallet,
            reason=f"wallet received {len(h.got)} and gave up {len(h.gave)} different tokens",
        )
        return [(_first_position(ledger, wallet, set(h.got) | set(h.gave)), event)]
    return []  # one-sided: a transfer, a mint or a burn, found later


def _swap(
    ledger: Ledger, wallet: str, h: _Holdings, stamp: TxStamp, outcome: Outcome
) -> tuple[int, ChainEvent]:
    (received, amount), (given, given_amount) = next(iter(h.got.items())), next(iter(h.gave.items()))
    # A single pool holds both sides; several hops through a router have no one venue.
    sources = set(token_counterparties(ledger, wallet, {received}))
    sinks = set(token_counterparties(ledger, wallet, {given}))
    shared = sources & sinks
    venue = next(iter(shared)) if len(shared) == 1 else None
    _settle_signers(ledger, outcome, shared)
    event = stamp.event(
        label=labels.SWAP, wallet=wallet, mint=received, token_amount=amount,
        other_mint=given, other_amount=given_amount,
        counterparty=present_counterparty(ledger, venue, wallet),
        program=_program_for(ledger, wallet, {received, given}),
    )
    return _first_position(ledger, wallet, {received, given}), event


def _buy_or_sell(
    ledger: Ledger, wallet: str, label: str, tokens: dict[str, int], sol: int,
    stamp: TxStamp, outcome: Outcome,
) -> list[tuple[int, ChainEvent]]:
    """One event per token bought (or sold) for SOL, each priced by its own venue."""
    prices = _split_sol(ledger, wallet, tokens, sol)
    found = []
    for mint, amount in tokens.items():
        venues = token_counterparties(ledger, wallet, {mint})
        _settle_signers(ledger, outcome, set(venues) | set(sol_counterparties(ledger, wallet)))
        event = stamp.event(
            label=label, wallet=wallet, mint=mint, token_amount=amount,
            sol_amount=prices[mint],
            counterparty=present_counterparty(ledger, venues[0] if venues else None, wallet),
            program=_program_for(ledger, wallet, {mint}),
        )
        found.append((_first_position(ledger, wallet, {mint}), event))
    return found


def _split_sol(ledger: Ledger, wallet: str, tokens: dict[str, int], sol: int) -> dict[str, int]:
    """Attribute the SOL leg to each token by what its own venue was paid.

    With a single token it simply gets all of it; a token whose venue took no
    SOL directly (paid through a router) gets whatever is left, if alone.
    """
    if len(tokens) == 1:
        return {mint: sol for mint in tokens}
    prices = {
        mint: abs(ledger.sol_received_from(wallet, set(token_counterparties(ledger, wallet, {mint}))))
        for mint in tokens
    }
    unpriced = [mint for mint, price in prices.items() if price == 0]
    if len(unpriced) == 1:
        prices[unpriced[0]] = max(sol - sum(prices.values()), 0)
    return prices


def _settle_signers(ledger: Ledger, outcome: Outcome, owners: set[str]) -> None:
    """A signer on the other side of a trade (a platform vault) is not a second trader."""
    outcome.settled_wallets.update(owners & set(ledger.tx.signers))


def _program_for(ledger: Ledger, wallet: str, mints: set[str]) -> str | None:
    return pick_program([t.instruction.path for t in transfers_with(ledger, wallet, mints)])


def _first_position(ledger: Ledger, wallet: str, mints: set[str]) -> int:
    positions = [t.instruction.position for t in transfers_with(ledger, wallet, mints)]
    return min(positions, default=len(ledger.tx.instructions))
