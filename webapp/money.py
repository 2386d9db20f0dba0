"""Showing exact amounts to people: base units, tokens and SOL as text, never through float.

Every page, fragment and pushed live row formats amounts with these, so a
figure looks the same wherever it appears.
"""
from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal

from markupsafe import Markup

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
    """SOL for one whole token from an exact (lamports, base units) price, tiny ones as `0.0₇3211` (template filter)."""
    return "—" if price is None else readable_price(price_text(int(price.lamports), int(price.units), decimals))


SUBSCRIPT_DIGITS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
TINY_PRICE_ZEROS = 4  # from 0.0000x on, the zeros after the point are counted rather than written out


def readable_price(text: str) -> str:
    """A decimal price with its run of zeros after the point written as a count: `0.00000003211` → `0.0₇3211`.

    Traders read tiny prices this way (DexScreener, pump.fun); the digits that
    matter stay visible and the figure keeps a short, unbreakable width.
    """
    sign, digits = ("-", text[1:]) if text.startswith("-") else ("", text)
    if not digits.startswith("0."):
        return text
    fraction = digits[2:]
    zeros = len(fraction) - len(fraction.lstrip("0"))
    if zeros < TINY_PRICE_ZEROS or zeros == len(fraction):
        return text
    return f"{sign}0.0{str(zeros).translate(SUBSCRIPT_DIGITS)}{fraction[zeros:]}"


COMPACT_UNITS = ((10**12, "T"), (10**9, "B"), (10**6, "M"), (10**3, "K"))


def compact_text(value: Decimal) -> str | None:
    """`9,912,345.6` → `9.9M`, `1,234` → `1.2K`, `123,456` → `123K`; None below 1,000, where every digit fits.

    One decimal below 100 of a unit, none from 100 up, and a figure that
    rounds up to 1,000 of a unit moves to the next one (`999,960` → `1M`, never `1000K`).
    """
    size = abs(value)
    if size < 1000:
        return None
    index = next(i for i, (scale, _) in enumerate(COMPACT_UNITS) if size >= scale)
    while True:
        scale, suffix = COMPACT_UNITS[index]
        scaled = size / scale
        shown = scaled.quantize(Decimal("0.1"), rounding=ROUND_HALF_EVEN)
        if shown >= 100:
            shown = scaled.quantize(Decimal(1), rounding=ROUND_HALF_EVEN)
        if shown < 1000 or index == 0:
            break
        index -= 1
    text = f"{shown:f}"
    text = text.rstrip("0").rstrip(".") if "." in text else text
    return f"{'-' if value < 0 else ''}{text}{suffix}"


def _compact_markup(short: str | None, exact: str) -> Markup:
    """The short figure with the exact one on hover, or the exact one alone when nothing was shortened."""
    if short is None or short == exact:
        return Markup.escape(exact)
    return Markup('<abbr class="compact" title="{}">{}</abbr>').format(exact, short)


def compact_tokens(amount: int | Decimal | None, decimals: int) -> Markup:
    """Base units as a compact token figure, every digit on hover (template filter)."""
    if amount is None:
        return Markup("—")
    return _compact_markup(compact_text(Decimal(int(amount)).scaleb(-decimals)), units_text(int(amount), decimals))


def compact_sol(lamports: int | Decimal | None) -> Markup:
    """Lamports as a compact SOL figure: `1.2K`, `37.66` from 1 SOL up, `0.0184` below; sol_text on hover."""
    if lamports is None:
        return Markup("—")
    lamports = int(lamports)
    short = compact_text(Decimal(lamports).scaleb(-LAMPORTS_PER_SOL_DECIMALS))
    if short is None and abs(lamports) >= 10**LAMPORTS_PER_SOL_DECIMALS:
        short = units_text(lamports, LAMPORTS_PER_SOL_DECIMALS, 2)  # whole SOL: cents are precise enough
    return _compact_markup(short, sol_text(lamports))


def short_address(address: str | None) -> str:
    """A base58 address as lists show it: its first and last four characters (template filter)."""
    if not address:
        return ""
    return f"{address[:4]}…{address[-4:]}"
