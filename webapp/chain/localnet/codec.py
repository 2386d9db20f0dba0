"""Encodings the Solana JSON-RPC uses: base58, base64, token amounts, JSON.

Amounts stay integers here; the only floats are the `uiAmount` fields that
the RPC wire format itself defines, derived from the exact decimal string.
"""
from __future__ import annotations

import base64
import binascii
from typing import Any

import orjson

_B58_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_B58_INDEX = {char: index for index, char in enumerate(_B58_ALPHABET)}


def dumps(value: Any) -> bytes:
    return orjson.dumps(value)


def loads(raw: bytes | str) -> Any:
    return orjson.loads(raw)


def b58encode(data: bytes) -> str:
    leading_zeros = len(data) - len(data.lstrip(b"\0"))
    number = int.from_bytes(data, "big")
    digits: list[str] = []
    while number:
        number, remainder = divmod(number, 58)
        digits.append(_B58_ALPHABET[remainder])
    return "1" * leading_zeros + "".join(reversed(digits))


def b58decode(text: str) -> bytes:
    """Decode base58; raises ValueError naming the first bad character like the RPC does."""
    number = 0
    for index, char in enumerate(text):
        digit = _B58_INDEX.get(char)
        if digit is None:
            raise ValueError(f"InvalidCharacter {{ character: {char!r}, index: {index} }}")
        number = number * 58 + digit
    leading_ones = len(text) - len(text.lstrip("1"))
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    return b"\0" * leading_ones + body


def b64encode(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def b64decode(text: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ValueError(str(exc)) from None


def ui_amount_string(amount: int, decimals: int) -> str:
    """The RPC's trimmed decimal rendering of base units: 4881197, 6 -> "4.881197"."""
    if decimals == 0:
        return str(amount)
    digits = str(amount).rjust(decimals + 1, "0")
    whole, fraction = digits[:-decimals], digits[-decimals:].rstrip("0")
    return f"{whole}.{fraction}" if fraction else whole


def ui_token_amount(amount: int, decimals: int, *, null_when_zero: bool = False) -> dict[str, Any]:
    """`UiTokenAmount` as the RPC serialises it.

    Transaction meta token balances carry `uiAmount: null` for a zero balance
    (seen in mainnet responses); account queries carry 0.0.
    """
    text = ui_amount_string(amount, decimals)
    ui_amount: float | None = float(text)
    if null_when_zero and amount == 0:
        ui_amount = None
    return {"amount": str(amount), "decimals": decimals, "uiAmount": ui_amount, "uiAmountString": text}
