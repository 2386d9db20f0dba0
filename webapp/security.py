"""Security headers with a strict Content-Security-Policy, and role gates for views."""
from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TypeVar

from flask import Flask, Response, abort, current_app
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


def init_security_headers(app: Flask) -> None:
    @app.after_request
    def add_headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if current_app.config.get("SESSION_COOKIE_SECURE"):
            response.headers.setdefault("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
        return response


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
