"""/notifications, /feed and follows."""
from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user, login_required
from sqlalchemy import select

from webapp.extensions import db
from webapp.models import Notification
from webapp.services.community import notifications as notifications_service

bp = Blueprint("community", __name__)


@bp.app_template_global("unread_notifications")
def _unread_notifications() -> int:
    """The nav bell's count for the signed-in member."""
    return notifications_service.unread_count(current_user.id) if current_user.is_authenticated else 0


@bp.get("/notifications")
@login_required
def notifications() -> str:
    """The signed-in member's notifications, newest first."""
    rows = db.session.scalars(select(Notification).where(Notification.user_id == current_user.id)
                              .order_by(Notification.updated_at.desc(), Notification.id.desc()).limit(50)).all()
    return render_template("community/notifications.html", notifications=rows)
