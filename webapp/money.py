"""Showing exact amounts to people: base units, tokens and SOL as text, never through float.

Every page, fragment and pushed live row formats amounts with these, so a
figure looks the same wherever it appears.
"""
from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal

LAMPORTS_PER_SOL_DECIMALS = 9
PERCENT_BPS = 100


def units_text(amount: int, decimals: int, places: int | None = None) -> str:
    """Base units → `1,234.5`: exact, thousands separated, trailing zeros trimmed."""
    if not isinstance(amount, int) or isinstance(amount, bool):
        raise TypeError("amounts are integers in base units")
    value = Decimal(amount).scaleb(-decimals)
    if places is not None and places < decimals:
        value = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_EVEN)
    text = f"{value:,f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def sol_text(lamports: int) -> str:
    """Lamports as SOL: four decimals from 0.01 SOL up, every digit below."""
    places = 4 if abs(lamports) >= 10_000_000 else None
    return units_text(lamports, LAMPORTS_PER_SOL_DECIMALS, places)


def token_text(units: int, decimals: int) -> str:
    places = 2 if abs(units) >= 10**decimals else None
    return units_text(units, decimals, places)


def price_text(lamports: int, token_units: int, decimals: int, digits: int = 4) -> str:
    """SOL per whole token for `lamports` paid for `token_units`, to `digits` significant digits."""
    if token_units <= 0:
        return "—"
    value = (Decimal(lamports) * Decimal(10) ** decimals / Decimal(token_units)
             / Decimal(10) ** LAMPORTS_PER_SOL_DECIMALS)
    if value == 0:
        return "0"
    value = value.quantize(Decimal(1).scaleb(value.adjusted() - digits + 1), rounding=ROUND_HALF_EVEN)
    text = f"{value:,f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def percent_text(bps: int) -> str:
    """Basis points → `45.2%`."""
    return units_text(bps, 2, 1) + "%"


def base_units(amount: int | Decimal | None) -> str:
    """An integer amount with thousands separators."""
    return "—" if amount is None else f"{int(amount):,}"


def token_units(amount: int | Decimal | None, decimals: int) -> str:
    """Base units shown as tokens, every digit kept (template filter)."""
    return "—" if amount is None else units_text(int(amount), decimals)


def sol(lamports: int | Decimal | None) -> str:
    """Lamports as SOL (template filter)."""
    return "—" if lamports is None else sol_text(int(lamports))


def sol_price(price, decimals: int) -> str:
    """SOL for one whole token from an exact (lamports, base units) price (template filter)."""
    return "—" if price is None else price_text(int(price.lamports), int(price.units), decimals)
