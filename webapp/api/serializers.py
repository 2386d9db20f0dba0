"""JSON shapes of the public API. Amounts are strings of base units: JSON numbers lose u64 precision."""
from __future__ import annotations

from webapp.models import Token, TransactionEvent
from webapp.services.indexer.reads import MarketSummary
from webapp.services.token_directory import TokenCard


def token_json(token: Token) -> dict[str, object]:
    return {
        "mint": token.mint, "name": token.name, "symbol": token.symbol, "decimals": token.decimals,
        "supply": str(token.supply), "tier": token.tier, "program": token.program,
        "tracking_since": token.tracking_since.isoformat(),
    }


def card_json(card: TokenCard) -> dict[str, object]:
    return {
        **token_json(card.token),
        "price": None if card.price is None else {"lamports": str(card.price.lamports),
                                                  "base_units": str(card.price.units)},
        "market_cap_lamports": str(card.market_cap_lamports),
        "volume_24h_lamports": str(card.volume_24h_lamports),
        "holders": card.holders,
    }


def market_json(market: MarketSummary | None) -> dict[str, object] | None:
    if market is None:
        return None
    return {
        "price": None if market.price is None else {"lamports": str(market.price.lamports),
                                                    "base_units": str(market.price.units)},
        "market_cap_lamports": None if market.market_cap_lamports is None else str(market.market_cap_lamports),
        "change_24h_bps": market.change_24h_bps,
        "volume_24h_lamports": str(market.volume_24h_lamports),
        "trades_24h": market.trades_24h,
    }


def event_json(event: TransactionEvent) -> dict[str, object]:
    return {
        "signature": event.signature, "slot": event.slot,
        "block_time": event.block_time.isoformat() if event.block_time else None,
        "label": event.label, "wallet": event.wallet, "mint": event.mint,
        "token_amount": str(event.token_amount), "sol_amount": str(event.sol_amount),
        "other_mint": event.other_mint, "other_amount": None if event.other_amount is None else str(event.other_amount),
        "counterparty": event.counterparty, "program": event.program,
    }
