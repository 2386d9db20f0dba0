"""Security headers with a strict Content-Security-Policy, and role gates for views."""
from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import ParamSpec, TypeVar

from flask import Flask, Response, abort
from flask_login import current_user

from webapp.models import Role

P = ParamSpec("P")
R = TypeVar("R")

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


def role_required(role: Role) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """401 for visitors who are not signed in, 403 for members below `role`."""

    def decorator(view: Callable[P, R]) -> Callable[P, R]:
        @wraps(view)
        def gated(*args: P.args, **kwargs: P.kwargs) -> R:
            if not current_user.is_authenticated:
                abort(401, description="Sign in with your wallet to continue.")
            if not current_user.has_role(role):
                abort(403, description=f"This page is for {role.value}s only.")
            return view(*args, **kwargs)

        return gated

    return decorator
