"""Profiles: every wallet has one, a member's or not."""
from __future__ import annotations

from flask import Blueprint, abort, render_template

from webapp.services import profile_page

bp = Blueprint("profiles", __name__)


@bp.get("/u/<wallet>")
def show(wallet: str) -> str:
    """A wallet's public profile: membership, holdings, on-chain activity and payouts."""
    try:
        page = profile_page.build(wallet)
    except profile_page.InvalidWallet as error:
        abort(404, description=str(error))
    return render_template("profiles/show.html", page=page)
