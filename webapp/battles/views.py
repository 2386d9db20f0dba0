"""Battles."""
from __future__ import annotations

from flask import Blueprint, render_template

bp = Blueprint("battles", __name__, url_prefix="/battles")


@bp.get("/")
def index() -> str:
    """The battles directory."""
    return render_template("battles/index.html")
