"""The home page."""
from __future__ import annotations

from flask import Blueprint, render_template

from webapp.services import home_page

bp = Blueprint("home", __name__)


@bp.get("/")
def index() -> str:
    """What Momentum is, today's launches and the latest on-chain activity."""
    return render_template("home/index.html", page=home_page.build())
