"""Member profiles."""
from __future__ import annotations

from flask import Blueprint, abort, render_template
from sqlalchemy import select

from webapp.extensions import db
from webapp.models import Payout, User

bp = Blueprint("profiles", __name__)


@bp.get("/u/<wallet>")
def show(wallet: str) -> str:
    """A member's public profile."""
    user = db.session.scalar(select(User).where(User.wallet == wallet))
    if user is None:
        abort(404, description="No member has signed in with this wallet yet.")
    payouts = db.session.scalars(
        select(Payout).where(Payout.recipient == user.wallet).order_by(Payout.id.desc()).limit(20)
    ).all()
    return render_template("profiles/show.html", member=user, payouts=payouts)
