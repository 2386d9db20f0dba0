"""Jinja filters and globals shared by every template."""
from __future__ import annotations

from datetime import datetime, timezone

from flask import Flask, request


def is_htmx() -> bool:
    return bool(request.headers.get("HX-Request")) and not request.headers.get("HX-History-Restore-Request")


def timeago(moment: datetime | None) -> str:
    if moment is None:
        return "never"
    seconds = int((datetime.now(timezone.utc) - moment).total_seconds())
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds // size}{unit} ago"
    return "just now"


def short_address(address: str | None) -> str:
    if not address:
        return ""
    return f"{address[:4]}…{address[-4:]}"


def init_templating(app: Flask) -> None:
    app.jinja_env.filters["timeago"] = timeago
    app.jinja_env.filters["short_address"] = short_address
    app.jinja_env.globals["is_htmx"] = is_htmx
    app.jinja_env.globals["site_name"] = "Momentum"
