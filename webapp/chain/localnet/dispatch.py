"""JSON-RPC 2.0 framing: parse, batch, route to a method, and never let bad input escape.

Everything here runs on the event loop that owns LiteSVM, so a request is
handled start to finish without interleaving: no locks are needed.
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from webapp.chain.localnet import methods_accounts, methods_cluster, methods_transactions
from webapp.chain.localnet.codec import dumps, loads
from webapp.chain.localnet.errors import INTERNAL_ERROR, INVALID_REQUEST, PARSE_ERROR, RpcError, method_not_found
from webapp.chain.localnet.node import LocalChain

log = logging.getLogger(__name__)

METHODS: dict[str, Callable[[LocalChain, list[Any]], Any]] = {
    **methods_cluster.METHODS,
    **methods_accounts.METHODS,
    **methods_transactions.METHODS,
}
MAX_BATCH = 1000


def error_response(error: RpcError, request_id: Any) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "error": error.to_json(), "id": request_id}


def parse_body(body: bytes) -> tuple[Any, dict[str, Any] | None]:
    """(decoded JSON, None) or (None, parse-error response)."""
    try:
        return loads(body), None
    except ValueError:
        return None, error_response(RpcError(PARSE_ERROR, "Parse error"), None)


def validate_request(request: Any) -> tuple[str, list[Any], Any]:
    """(method, params, id) of a well-formed request; RpcError(-32600) otherwise."""
    if not isinstance(request, dict) or request.get("jsonrpc") != "2.0" or not isinstance(request.get("method"), str):
        raise RpcError(INVALID_REQUEST, "Invalid request")
    params = request.get("params", [])
    if params is None:
        params = []
    if not isinstance(params, list):
        raise RpcError(-32602, "Invalid params: invalid type: map, expected a sequence.")
    return request["method"], params, request.get("id")


class Dispatcher:
    def __init__(self, chain: LocalChain, methods: dict[str, Callable[[LocalChain, list[Any]], Any]] | None = None,
                 on_call: Callable[[str], None] | None = None) -> None:
        self.chain = chain
        self.methods = METHODS if methods is None else methods
        self.on_call = on_call

    def handle_body(self, body: bytes) -> bytes:
        payload, failure = parse_body(body)
        if failure is not None:
            return dumps(failure)
        if isinstance(payload, list):
            if not payload or len(payload) > MAX_BATCH:
                return dumps(error_response(RpcError(INVALID_REQUEST, "Invalid request"), None))
            return dumps([self.handle_one(item) for item in payload])
        return dumps(self.handle_one(payload))

    def handle_one(self, request: Any) -> dict[str, Any]:
        request_id = request.get("id") if isinstance(request, dict) else None
        try:
            method, params, request_id = validate_request(request)
            handler = self.methods.get(method)
            if handler is None:
                raise method_not_found()
            if self.on_call is not None:
                self.on_call(method)
            return {"jsonrpc": "2.0", "result": handler(self.chain, params), "id": request_id}
        except RpcError as error:
            return error_response(error, request_id)
        except BaseException as exc:  # a bug (or a pyo3 panic) in one method must not take the node down
            if isinstance(exc, (KeyboardInterrupt, SystemExit, asyncio.CancelledError)):
                raise
            log.exception("internal error handling %r", request)
            return error_response(RpcError(INTERNAL_ERROR, "Internal error"), request_id)
