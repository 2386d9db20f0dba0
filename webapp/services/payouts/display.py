"""Payout amounts as people read them: "12.5 TRSY", "0.25 SOL", never base units."""
from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select

from webapp.extensions import db
from webapp.models import Payout, Token
from webapp.money import short_address, sol_text, token_text
from webapp.services.payouts.gateway import NATIVE_SOL


def mint_amount_text(mint: str, amount: int, decimals: int | None) -> str:
    """`amount` base units of one mint as people read them (a halted run's reason, for example)."""
    if mint == NATIVE_SOL:
        return f"{sol_text(amount)} SOL"
    token = db.session.scalar(select(Token).where(Token.mint == mint))
    decimals = decimals if decimals is not None else (token.decimals if token else None)
    label = token.label if token else short_address(mint)
    return f"{label} (decimals unknown)" if decimals is None else f"{token_text(amount, decimals)} {label}"


def amount_texts(payouts: Sequence[Payout]) -> dict[int, str]:
    """Each payout's amount by payout id, in SOL or in token units with the token's symbol.

    The decimals come from the row (kept when the payout was asked for), else from the tracked
    token; a row from before rows kept them, of a mint nobody tracks, says so instead of
    showing base units.
    """
    mints = {p.mint for p in payouts if p.mint != NATIVE_SOL}
    tokens = {t.mint: t for t in db.session.scalars(select(Token).where(Token.mint.in_(mints)))} if mints else {}
    texts: dict[int, str] = {}
    for payout in payouts:
        if payout.mint == NATIVE_SOL:
            texts[payout.id] = f"{sol_text(int(payout.amount))} SOL"
            continue
        token = tokens.get(payout.mint)
        decimals = payout.decimals if payout.decimals is not None else (token.decimals if token else None)
        label = token.label if token else short_address(payout.mint)
        if decimals is None:
            texts[payout.id] = f"{label} (decimals unknown)"
        else:
            texts[payout.id] = f"{token_text(int(payout.amount), decimals)} {label}"
    return texts
