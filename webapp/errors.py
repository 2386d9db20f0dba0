"""Error pages that work as full pages, HTMX fragments and JSON."""
from __future__ import annotations

import logging

from flask import Flask, Response, jsonify, render_template, request
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from webapp.extensions import db
from webapp.templating import is_htmx

TITLES = {
    400: "That request didn't make sense",
    401: "Please sign in",
    403: "Not allowed",
    404: "Page not found",
    405: "Method not allowed",
    413: "Too large",
    414: "Address too long",
    422: "Please check your input",
    429: "Slow down",
    500: "Something went wrong",
    503: "Temporarily unavailable",
}

log = logging.getLogger("momentum.errors")


def wants_json() -> bool:
    if request.path.startswith(("/api/", "/auth/", "/health")):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json"


def error_response(status: int, message: str) -> Response:
    """One rendering of an error for every kind of client."""
    title = TITLES.get(status, "Error")
    if wants_json():
        body = {"error": {"code": status, "message": message, "details": {}}}
        return Response(jsonify(body).get_data(), status=status, mimetype="application/json")
    if is_htmx():
        html = render_template("errors/_error.html", status=status, title=title, message=message)
        response = Response(html, status=status)
        # htmx swaps error fragments into the page's alert area, not the request's target
        response.headers["HX-Retarget"] = "#alerts"
        response.headers["HX-Reswap"] = "innerHTML"
        return response
    return Response(render_template("errors/page.html", status=status, title=title, message=message), status=status)


def init_error_pages(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError) -> Response:
        if request.blueprint != "auth" and not current_user.is_authenticated:
            # every action outside sign-in needs a member, and the pages signed-out visitors share carry no token
            return error_response(401, "Sign in with your wallet to continue.")
        stale = f"Your session's security token is missing or stale ({error.description})"
        return error_response(400, f"{stale} Reload the page and try again.")

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Response:
        status = error.code or 500
        if status == 429:
            return error_response(429, f"Too many requests: the limit is {error.description}. Please wait a moment.")
        if status == 413:
            return error_response(413, "That upload is far too large: a token image may be at most 2 MB.")
        return error_response(status, error.description or TITLES.get(status, "Error"))

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception) -> Response:
        db.session.rollback()
        log.exception("unhandled error")
        return error_response(500, InternalServerError.description)
