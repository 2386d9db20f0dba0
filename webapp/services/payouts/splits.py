"""Exact integer splits: the parts always sum to the whole."""
from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import TypeVar

K = TypeVar("K", bound=Hashable)


def largest_remainder_split(total: int, weights: Sequence[tuple[K, int]]) -> list[tuple[K, int]]:
    """Share `total` base units in proportion to integer weights.

    Each part is floor(total * weight / sum); the units left over go one each to
    the largest remainders, ties broken by position in `weights`, so the
    result is deterministic and sums exactly to `total`.
    """
    if total < 0:
        raise ValueError("The amount to split cannot be negative.")
    if any(weight < 0 for _, weight in weights):
        raise ValueError("Weights cannot be negative.")
    weight_sum = sum(weight for _, weight in weights)
    if weight_sum == 0:
        if total and weights:
            raise ValueError("Cannot split a positive amount over zero weights.")
        return [(key, 0) for key, _ in weights]
    parts = [(total * weight) // weight_sum for _, weight in weights]
    remainders = [(total * weight) % weight_sum for _, weight in weights]
    leftover = total - sum(parts)
    ranked = sorted(range(len(weights)), key=lambda i: (-remainders[i], i))
    for index in ranked[:leftover]:
        parts[index] += 1
    return [(key, part) for (key, _), part in zip(weights, parts, strict=True)]
