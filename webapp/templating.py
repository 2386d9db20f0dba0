"""Jinja filters and globals shared by every template."""
from __future__ import annotations

from datetime import UTC, datetime

from flask import Flask, current_app, request

from webapp.money import (
    base_units,
    compact_sol,
    compact_tokens,
    percent_text,
    short_address,
    sol,
    sol_price,
    token_units,
)
from webapp.services.return_paths import same_site_path


def is_htmx() -> bool:
    """An htmx request that wants a fragment; boosted navigation and history restores want the page."""
    headers = request.headers
    return bool(headers.get("HX-Request")) and not headers.get("HX-Boosted") and not headers.get(
        "HX-History-Restore-Request"
    )


def timeago(moment: datetime | None) -> str:
    if moment is None:
        return "never"
    seconds = int((datetime.now(UTC) - moment).total_seconds())
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds // size}{unit} ago"
    return "just now"


def explorer_url(kind: str, value: str) -> str:
    """A block-explorer link for a transaction ("tx") or an address ("address")."""
    return str(current_app.config["EXPLORER_URL"]).format(kind=kind, value=value)


def sign_in_return_path() -> str | None:
    """The page signing in comes back to: this one, or on the sign-in page the one it was asked for."""
    if request.endpoint == "auth.sign_in_page":
        return same_site_path(request.args.get("next"))
    return same_site_path(request.path)


def init_templating(app: Flask) -> None:
    app.jinja_env.filters["timeago"] = timeago
    app.jinja_env.filters["short_address"] = short_address
    app.jinja_env.filters["base_units"] = base_units
    app.jinja_env.filters["token_units"] = token_units
    app.jinja_env.filters["sol"] = sol
    app.jinja_env.filters["sol_price"] = sol_price
    app.jinja_env.filters["compact_tokens"] = compact_tokens
    app.jinja_env.filters["compact_sol"] = compact_sol
    app.jinja_env.filters["percent"] = percent_text
    app.jinja_env.globals["is_htmx"] = is_htmx
    app.jinja_env.globals["explorer_url"] = explorer_url
    app.jinja_env.globals["sign_in_return_path"] = sign_in_return_path
    app.jinja_env.globals["site_name"] = "Momentum"
