"""Leaderboards."""
from __future__ import annotations

from flask import Blueprint, render_template

bp = Blueprint("leaderboards", __name__, url_prefix="/leaderboards")


@bp.get("/")
def index() -> str:
    """The leaderboards directory."""
    return render_template("leaderboards/index.html")
