"""The second step: labels only the platform's own wallets make meaningful."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from . import events as labels
from .events import ChainEvent


@dataclass(frozen=True)
class PlatformWallets:
    """Addresses the platform controls, as configured by the operator."""

    payout_wallets: frozenset[str] = frozenset()
    stake_escrows: frozenset[str] = frozenset()


def relabel_for_platform(
    events: Iterable[ChainEvent], *, payout_wallets: set[str] | frozenset[str],
    stake_escrows: set[str] | frozenset[str],
) -> list[ChainEvent]:
    """Turn transfers that involve platform wallets into payout / stake / unstake.

    - transfer from a payout wallet → ``payout``, wallet = the recipient;
    - transfer into a stake escrow → ``stake``, wallet = the member staking;
    - transfer out of a stake escrow → ``unstake``, wallet = the member paid back.
    The platform wallet becomes the counterparty. Moves between two platform
    wallets (funding an escrow, say) stay plain transfers.
    """
    platform = set(payout_wallets) | set(stake_escrows)
    return [_relabel(e, set(payout_wallets), set(stake_escrows), platform) for e in events]


def _relabel(
    event: ChainEvent, payout_wallets: set[str], stake_escrows: set[str], platform: set[str]
) -> ChainEvent:
    if event.label != labels.TRANSFER or event.wallet is None or event.counterparty is None:
        return event
    sender, recipient = event.wallet, event.counterparty
    if sender in platform and recipient in platform:
        return event
    if recipient in stake_escrows:
        return replace(event, label=labels.STAKE)
    if sender in payout_wallets:
        return replace(event, label=labels.PAYOUT, wallet=recipient, counterparty=sender)
    if sender in stake_escrows:
        return replace(event, label=labels.UNSTAKE, wallet=recipient, counterparty=sender)
    return event
