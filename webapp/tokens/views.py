"""Tokens."""
from __future__ import annotations

from flask import Blueprint, render_template

bp = Blueprint("tokens", __name__, url_prefix="/tokens")


@bp.get("/")
def index() -> str:
    """The tokens directory."""
    return render_template("tokens/index.html")
