"""The OpenAPI 3.1 description of /api/v1."""
from __future__ import annotations

_LIMIT = {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 25}}
_CURSOR = {"name": "cursor", "in": "query", "schema": {"type": "string"},
           "description": "meta.next_cursor of the previous page, sent with the same filters and sort"}
_MINT = {"name": "mint", "in": "path", "required": True, "schema": {"type": "string"}}
_ERROR = {"description": "Error", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}


def _ok(schema: dict[str, object]) -> dict[str, object]:
    return {"description": "OK", "content": {"application/json": {"schema": {
        "type": "object", "required": ["data", "meta"],
        "properties": {"data": schema, "meta": {"$ref": "#/components/schemas/Meta"}}}}}}


AMOUNT = {"type": "string", "pattern": "^[0-9]+$", "description": "base units (lamports or token base units)"}
OPENAPI: dict[str, object] = {
    "openapi": "3.1.0",
    "info": {"title": "Momentum API", "version": "1",
             "description": "Read-only data for bots. Amounts are strings of base units; prices are exact "
                            "ratios of lamports to token base units."},
    "paths": {
        "/api/v1/tokens": {"get": {
            "summary": "Tracked tokens",
            "parameters": [_LIMIT, _CURSOR,
                           {"name": "q", "in": "query", "schema": {"type": "string"}},
                           {"name": "tier", "in": "query", "schema": {"enum": ["wild_fires", "stable_grounds"]}},
                           {"name": "graduated", "in": "query", "schema": {"enum": ["yes", "no"]},
                            "description": "yes: trading in its pool; no: still on its bonding curve"},
                           {"name": "sort", "in": "query",
                            "schema": {"enum": ["newest", "trending", "market_cap", "volume", "holders"]}}],
            "responses": {"200": _ok({"type": "array", "items": {"$ref": "#/components/schemas/TokenCard"}}),
                          "400": _ERROR}}},
        "/api/v1/tokens/{mint}": {"get": {
            "summary": "One token with its market and top holders", "parameters": [_MINT],
            "responses": {"200": _ok({"type": "object"}), "404": _ERROR}}},
        "/api/v1/tokens/{mint}/transactions": {"get": {
            "summary": "Labelled events of a token, newest first", "parameters": [_MINT, _LIMIT, _CURSOR],
            "responses": {"200": _ok({"type": "array", "items": {"$ref": "#/components/schemas/Event"}}),
                          "400": _ERROR, "404": _ERROR}}},
    },
    "components": {"schemas": {
        "Meta": {"type": "object", "properties": {"next_cursor": {"type": ["string", "null"]}}},
        "Error": {"type": "object", "properties": {"error": {"type": "object", "properties": {
            "code": {"type": "integer"}, "message": {"type": "string"}, "details": {"type": "object"}}}}},
        "TokenCard": {"type": "object", "properties": {
            "mint": {"type": "string"}, "name": {"type": "string"}, "symbol": {"type": "string"},
            "decimals": {"type": "integer"}, "supply": AMOUNT, "tier": {"type": ["string", "null"]},
            "market_cap_lamports": AMOUNT, "volume_24h_lamports": AMOUNT, "holders": {"type": "integer"}}},
        "Event": {"type": "object", "properties": {
            "signature": {"type": "string"}, "slot": {"type": "integer"},
            "label": {"enum": ["create", "mint", "buy", "sell", "swap", "burn", "transfer", "liquidity_add",
                               "liquidity_remove", "stake", "unstake", "payout", "failed", "other"]},
            "wallet": {"type": ["string", "null"]}, "mint": {"type": ["string", "null"]},
            "token_amount": AMOUNT, "sol_amount": AMOUNT}},
    }},
}
