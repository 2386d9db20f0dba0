"""/notifications, /feed and follows of members and tokens."""
from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from webapp.extensions import db, limiter
from webapp.models import User
from webapp.services.community import cursors, feed, follows, notification_page
from webapp.services.community import notifications as notifications_service
from webapp.templating import is_htmx

bp = Blueprint("community", __name__)
FOLLOW_LIMIT = "30 per minute"
FollowAction = Callable[[User, str], bool]  # follow or unfollow; False when nothing changed


@bp.app_template_global("unread_notifications")
def _unread_notifications() -> int:
    """The nav bell's count for the signed-in member."""
    return notifications_service.unread_count(current_user.id) if current_user.is_authenticated else 0


@bp.get("/notifications")
@login_required
def notifications() -> str:
    """The signed-in member's notifications, newest first; "show more" pages by keyset."""
    try:
        page = notification_page.build(current_user.id, request.args.get("cursor"))
    except cursors.BadCursor as error:
        abort(400, description=str(error))
    more = is_htmx() and not page.first_page
    return render_template("community/_notification_rows.html" if more else "community/notifications.html",
                           page=page)


@bp.post("/notifications/<int:notification_id>/read")
@login_required
def mark_read(notification_id: int) -> str | Response:
    """Mark one notification read: its row and the nav bell swap in place, or back to the list."""
    try:
        notification_page.one(current_user.id, notification_id)
    except notification_page.NotificationNotFound as error:
        abort(404, description=str(error))
    if notifications_service.mark_read(current_user.id, notification_id):
        db.session.commit()
        notification_page.push_unread(current_user.id)
    if not is_htmx():
        return redirect(url_for("community.notifications"))
    line = notification_page.one(current_user.id, notification_id)
    return render_template("community/_notification_read.html", n=line,
                           unread=notifications_service.unread_count(current_user.id))


@bp.post("/notifications/read-all")
@login_required
def mark_all_read() -> str | Response:
    """Mark every notification read."""
    changed = notifications_service.mark_read(current_user.id)
    if changed:
        db.session.commit()
        notification_page.push_unread(current_user.id)
    if not is_htmx():
        flash(f"Marked {changed} notification{'s' if changed != 1 else ''} read." if changed else "Nothing unread.")
        return redirect(url_for("community.notifications"))
    return render_template("community/_notification_list.html", page=notification_page.build(current_user.id),
                           is_fragment=True)


@bp.get("/notifications/<int:notification_id>/open")
@login_required
def open_notification(notification_id: int) -> Response:
    """Follow a notification's link, marking it read on the way."""
    try:
        return redirect(notification_page.open_target(current_user.id, notification_id))
    except notification_page.NotificationNotFound as error:
        abort(404, description=str(error))


@bp.get("/feed")
@login_required
def feed_page() -> str:
    """What the signed-in member follows, newest first."""
    try:
        page = feed.build(current_user, request.args.get("cursor"))
    except cursors.BadCursor as error:
        abort(400, description=str(error))
    more = is_htmx() and not page.first_page
    return render_template("community/_feed_items.html" if more else "community/feed.html", page=page)


@bp.post("/u/<wallet>/follow")
@login_required
@limiter.limit(FOLLOW_LIMIT)
def follow_member(wallet: str) -> str | Response:
    return _member_follow(wallet, follows.follow_member, "You follow {name} now.", "You already follow {name}.")


@bp.post("/u/<wallet>/unfollow")
@login_required
@limiter.limit(FOLLOW_LIMIT)
def unfollow_member(wallet: str) -> str | Response:
    return _member_follow(wallet, follows.unfollow_member, "You no longer follow {name}.", "You did not follow {name}.")


def _member_follow(wallet: str, action: FollowAction, done: str, unchanged: str) -> str | Response:
    try:
        changed = action(current_user, wallet)
    except follows.FollowError as error:
        abort(error.status, description=error.message)
    member = follows.member_by_wallet(wallet)
    message = (done if changed else unchanged).format(name=member.name)
    if not is_htmx():
        flash(message)
        return redirect(url_for("profiles.show", wallet=wallet))
    return render_template("community/_follow_member.html", member=member, message=message,
                           following=follows.follows_member(current_user.id, member.id),
                           counts=follows.counts(member.id))


@bp.get("/tokens/<mint>/follow")
def token_follow(mint: str) -> str:
    """The visitor's follow button for a token: a fragment the shared token page loads, or a page of its own."""
    try:
        token = follows.token_by_mint(mint)
    except follows.FollowError as error:
        abort(error.status, description=error.message)
    following = current_user.is_authenticated and follows.follows_token(current_user.id, token.id)
    template = "community/_follow_token.html" if is_htmx() else "community/follow_token.html"
    return render_template(template, token=token, following=following, message=None)


@bp.post("/tokens/<mint>/follow")
@login_required
@limiter.limit(FOLLOW_LIMIT)
def follow_token(mint: str) -> str | Response:
    return _token_follow(mint, follows.follow_token, "You follow {name} now: its trades and discussions "
                         "reach your feed.", "You already follow {name}.")


@bp.post("/tokens/<mint>/unfollow")
@login_required
@limiter.limit(FOLLOW_LIMIT)
def unfollow_token(mint: str) -> str | Response:
    return _token_follow(mint, follows.unfollow_token, "You no longer follow {name}.", "You did not follow {name}.")


def _token_follow(mint: str, action: FollowAction, done: str, unchanged: str) -> str | Response:
    try:
        changed = action(current_user, mint)
    except follows.FollowError as error:
        abort(error.status, description=error.message)
    token = follows.token_by_mint(mint)
    message = (done if changed else unchanged).format(name=token.label)
    if not is_htmx():
        flash(message)
        return redirect(url_for("tokens.show", mint=mint))
    return render_template("community/_follow_token.html", token=token, message=message,
                           following=follows.follows_token(current_user.id, token.id))
