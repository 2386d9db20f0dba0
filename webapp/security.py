"""Security headers with a strict Content-Security-Policy, request guards, and role gates for views."""
from __future__ import annotations

import re
from collections.abc import Callable
from functools import wraps
from typing import TypeVar
from urllib.parse import quote

from flask import Flask, Response, abort, request
from flask_login import current_user

from webapp.models import Role

F = TypeVar("F", bound=Callable[..., object])

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: https:",
        "connect-src 'self' ws: wss:",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


SECURITY_HEADERS = (
    ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "strict-origin-when-cross-origin"),
    ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
)
STRICT_TRANSPORT = ("Strict-Transport-Security", "max-age=63072000; includeSubDomains")


def init_security_headers(app: Flask) -> None:
    """Every response carries the same headers; HSTS only where cookies are HTTPS-only."""
    headers = SECURITY_HEADERS + ((STRICT_TRANSPORT,) if app.config.get("SESSION_COOKIE_SECURE") else ())

    @app.after_request
    def add_headers(response: Response) -> Response:
        response.headers.extend(headers)  # no view sets these itself
        return response


# The longest request target (path and query, as sent) the site answers. No URL
# of ours comes near it; gunicorn.conf.py lets longer lines through (up to its
# own hard maximum) so that they get this page instead of gunicorn's bare one.
MAX_REQUEST_TARGET = 4096

# C0 and C1 control characters and DEL. PostgreSQL text refuses NUL, and none of
# them belongs in an address or a search; browsers strip tabs and line breaks
# from URLs, so accepting them would also let two spellings name one address.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
# Form bodies may carry multi-line text (textareas, the signed SIWS message).
_FORM_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def request_target_length() -> int:
    """Length of the path and query as the client sent them (percent-encoded)."""
    raw = request.environ.get("RAW_URI") or request.environ.get("REQUEST_URI")
    if raw:
        return len(raw)
    query = request.query_string
    return len(quote(request.path)) + (len(query) + 1 if query else 0)


def refusal_for_request() -> tuple[int, str] | None:
    """Why this request is refused before any view sees it (status, message), or None."""
    if request_target_length() > MAX_REQUEST_TARGET:
        return 414, f"That address is too long: the site answers addresses up to {MAX_REQUEST_TARGET} characters."
    if _CONTROL.search(request.path) or any(
        _CONTROL.search(key) or _CONTROL.search(value) for key, value in request.args.items(multi=True)
    ):
        return 400, "The address contains a control character (such as a NUL byte) that no page here accepts."
    if request.mimetype in _FORM_TYPES and any(
        _FORM_CONTROL.search(key) or _FORM_CONTROL.search(value) for key, value in request.form.items(multi=True)
    ):
        return 400, "A form field contains a control character (such as a NUL byte). Remove it and try again."
    return None


def init_request_guards(app: Flask) -> None:
    """Refuse input no view can use, in one place, before any view or blueprint hook reads it.

    Registered after request tracking starts, so refusals are logged and counted like any answer."""

    @app.before_request
    def refuse_unusable_input() -> None:
        refusal = refusal_for_request()
        if refusal is not None:
            abort(refusal[0], description=refusal[1])


def role_required(role: Role) -> Callable[[F], F]:
    """401 for visitors who are not signed in, 403 for members below `role`."""

    def decorator(view: F) -> F:
        @wraps(view)
        def gated(*args: object, **kwargs: object) -> object:
            if not current_user.is_authenticated:
                abort(401, description="Sign in with your wallet to continue.")
            if not current_user.has_role(role):
                abort(403, description=f"This page is for {role.value}s only.")
            return view(*args, **kwargs)

        return gated  # type: ignore[return-value]

    return decorator
