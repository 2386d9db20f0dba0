"""Who may take part: signed-in members who are not suspended."""
from __future__ import annotations

from datetime import UTC, datetime

from webapp.models import User


class NotAllowed(Exception):
    """The member may not do this; the message says why (and until when)."""


def ensure_can_participate(user: User | None, now: datetime | None = None) -> User:
    """The member, if they may post, react, report or enter; NotAllowed otherwise."""
    if user is None or not getattr(user, "is_authenticated", False):
        raise NotAllowed("Sign in with your wallet to take part.")
    now = now or datetime.now(UTC)
    if user.is_suspended(now):
        until = user.suspended_until.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC") if user.suspended_until else ""
        reason = f" Reason: {user.suspension_reason}" if user.suspension_reason else ""
        raise NotAllowed(f"You are suspended until {until} and cannot post, react or report.{reason}")
    return user
