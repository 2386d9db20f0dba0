"""/api/v1: tokens, one token, a token's transactions, and the OpenAPI document."""
from __future__ import annotations

from flask import Blueprint, Response, abort, jsonify, request
from sqlalchemy import and_, or_, select

from webapp.api import serializers
from webapp.api.openapi import OPENAPI
from webapp.extensions import csrf, db, limiter
from webapp.models import Token, TransactionEvent
from webapp.services import token_directory
from webapp.services.indexer import reads

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # read-only GETs for bots, no session
limiter.limit("120 per minute")(bp)
MAX_LIMIT = 100


def _limit() -> int:
    raw = request.args.get("limit", "25")
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_LIMIT:
        abort(400, description=f"limit must be a whole number from 1 to {MAX_LIMIT}.")
    return int(raw)


def _page(data: object, next_cursor: str | None) -> Response:
    return jsonify({"data": data, "meta": {"next_cursor": next_cursor}})


@bp.get("/tokens")
def tokens() -> Response:
    """Tracked tokens with price, market cap, volume and holders; keyset cursor in meta."""
    try:
        page = token_directory.directory(search=request.args.get("q", ""), tier=request.args.get("tier", ""),
                                         graduated=request.args.get("graduated", ""),
                                         sort=request.args.get("sort", "newest"), cursor=request.args.get("cursor"),
                                         limit=_limit())
    except token_directory.DirectoryError as error:
        abort(400, description=str(error))
    return _page([serializers.card_json(card) for card in page.cards], page.next_cursor)


@bp.get("/tokens/<mint>")
def token(mint: str) -> Response:
    """One token with its market summary and top holders."""
    found = db.session.scalar(select(Token).where(Token.mint == mint)) or abort(404, description="Untracked mint.")
    holders = [{"owner": h.owner, "amount": str(h.amount), "share_percent": h.share}
               for h in reads.top_holders(mint, 20)]
    body = {**serializers.token_json(found), "market": serializers.market_json(reads.market_summary(mint)),
            "holders": reads.holder_count(mint), "top_holders": holders}
    return _page(body, None)


@bp.get("/tokens/<mint>/transactions")
def transactions(mint: str) -> Response:
    """Labelled events for the mint, newest first; cursor is `<slot>.<event id>`."""
    db.session.scalar(select(Token.id).where(Token.mint == mint)) or abort(404, description="Untracked mint.")
    query = select(TransactionEvent).where(or_(TransactionEvent.mint == mint, TransactionEvent.other_mint == mint))
    cursor = request.args.get("cursor")
    if cursor:
        slot, _, event_id = cursor.partition(".")
        if not (slot.isdigit() and event_id.isdigit()):
            abort(400, description="The cursor is not one this API gave out.")
        query = query.where(or_(TransactionEvent.slot < int(slot),
                                and_(TransactionEvent.slot == int(slot), TransactionEvent.id < int(event_id))))
    limit = _limit()
    rows = list(db.session.scalars(query.order_by(TransactionEvent.slot.desc(), TransactionEvent.id.desc())
                                   .limit(limit + 1)))
    next_cursor = f"{rows[limit - 1].slot}.{rows[limit - 1].id}" if len(rows) > limit else None
    return _page([serializers.event_json(event) for event in rows[:limit]], next_cursor)


@bp.get("/openapi.json")
def openapi() -> Response:
    """The OpenAPI 3.1 document of this API."""
    return jsonify(OPENAPI)
