"""Turning what a person types into base units, exactly."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation


class AmountError(ValueError):
    """An amount a person typed that is not a positive number of tokens."""


def tokens_to_base_units(text: str, decimals: int) -> int:
    """"12.5" with 6 decimals → 12_500_000; refuses more precision than the mint has."""
    cleaned = (text or "").strip().replace(",", "").replace("_", "")
    try:
        value = Decimal(cleaned)
    except InvalidOperation as exc:
        raise AmountError("The amount must be a number, like 12 or 0.5.") from exc
    if not value.is_finite() or value <= 0:
        raise AmountError("The amount must be above zero.")
    scaled = value.scaleb(decimals)
    if scaled != scaled.to_integral_value():
        raise AmountError(f"This token has {decimals} decimals; the amount has more.")
    return int(scaled)
