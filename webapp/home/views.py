"""The home page."""
from __future__ import annotations

from flask import Blueprint, render_template

bp = Blueprint("home", __name__)


@bp.get("/")
def index() -> str:
    """What Momentum is, and where to start."""
    return render_template("home/index.html")
