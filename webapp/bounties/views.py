"""Bounties."""
from __future__ import annotations

from flask import Blueprint, render_template

bp = Blueprint("bounties", __name__, url_prefix="/bounties")


@bp.get("/")
def index() -> str:
    """The bounties directory."""
    return render_template("bounties/index.html")
