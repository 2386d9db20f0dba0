"""Showing exact amounts to people: base units, tokens and SOL as text, never through float."""
from __future__ import annotations

from decimal import Decimal
from fractions import Fraction


def base_units(amount: int | Decimal | None) -> str:
    """An integer amount with thousands separators; never through float."""
    return "—" if amount is None else f"{int(amount):,}"


def token_units(amount: int | Decimal | None, decimals: int) -> str:
    """Base units shown as tokens, exactly (integer arithmetic, trailing zeros trimmed)."""
    if amount is None:
        return "—"
    whole, fraction = divmod(int(amount), 10**decimals)
    text = f"{whole:,}"
    if fraction and decimals:
        text += "." + str(fraction).rjust(decimals, "0").rstrip("0")
    return text


def significant(value: Fraction, digits: int = 4) -> str:
    """A positive exact ratio as a decimal with `digits` significant figures, truncated (no float)."""
    if value <= 0:
        return "0"
    exponent = 0  # value * 10**exponent lands in [10**(digits-1), 10**digits)
    while value * 10**exponent < 10 ** (digits - 1):
        exponent += 1
    while value * 10**exponent >= 10**digits:
        exponent -= 1
    scaled = int(value * 10**exponent)
    if exponent <= 0:
        return f"{scaled * 10 ** -exponent:,}"
    text = str(scaled).rjust(exponent + 1, "0")
    whole, fraction = text[:-exponent], text[-exponent:].rstrip("0")
    return f"{int(whole):,}" + (f".{fraction}" if fraction else "")


def sol_price(price, decimals: int) -> str:  # type: ignore[no-untyped-def]
    """SOL for one whole token from an exact (lamports, base units) price, 4 significant figures."""
    if price is None:
        return "—"
    return significant(Fraction(price.lamports * 10**decimals, price.units * 10**9))


def sol(lamports: int | Decimal | None) -> str:
    """Lamports as SOL: 4 significant figures below 1 SOL, else 2 decimals, truncated."""
    if lamports is None:
        return "—"
    lamports = int(lamports)
    if lamports < 10**9:
        return significant(Fraction(lamports, 10**9)) if lamports else "0"
    return token_units(lamports // 10**7 * 10**7, 9)
