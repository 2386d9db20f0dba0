"""Turning what a person types into base units, exactly."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

MAX_BASE_UNITS = 2**64 - 1  # an SPL token amount (and a lamport balance) is a u64


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
    try:
        scaled = value.scaleb(decimals)
        whole = scaled == scaled.to_integral_value()
    except ArithmeticError as exc:  # an exponent beyond what Decimal can hold
        raise AmountError("The amount is far too large.") from exc
    if not whole or scaled < 1:  # a tiny exponent can underflow to zero rather than leave a fraction
        raise AmountError(f"This token has {decimals} decimals; the amount has more.")
    if scaled > MAX_BASE_UNITS:
        raise AmountError("The amount is too large for any token account to hold.")
    return int(scaled)
