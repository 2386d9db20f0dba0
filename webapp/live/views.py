"""Live URLs: `WS /ws?topics=…`, `/live/catch-up` after a reconnect, and `/admin/live`."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask.blueprints import BlueprintSetupState
from flask_login import current_user
from redis.exceptions import RedisError
from werkzeug.wrappers import Response as BaseResponse

from webapp import live
from webapp.extensions import app_object, db, sock
from webapp.live.forms import BroadcastForm
from webapp.live.hub import Refused, hub_for
from webapp.live.topics import TopicError, dom_id, is_cursor, may_follow, parse_topic, user_topic
from webapp.models import Role
from webapp.security import role_required
from webapp.templating import is_htmx

bp = Blueprint("live", __name__)
admin_bp = Blueprint("live_admin", __name__, url_prefix="/admin/live")


@bp.record_once
def _configure(state: BlueprintSetupState) -> None:
    # Browsers send nothing on this socket; a 4 KB cap keeps a hostile client from buffering megabytes.
    state.app.config.setdefault("SOCK_SERVER_OPTIONS", {"max_message_size": 4096})


@bp.app_template_filter("live_dom_id")
def _dom_id(topic: str) -> str:
    return dom_id(topic)


@bp.app_template_global("live_cursor")
def _live_cursor(topic: str) -> str:
    return live.latest_cursor(topic)


@bp.app_template_global("live_socket_path")
def _socket_path(topics: list[str]) -> str:
    """/ws?topics=…: werkzeug builds websocket rules as absolute ws:// URLs for the server's own host;
    htmx turns a path into ws:// or wss:// for the page's host, which is right behind a proxy too."""
    parts = urlsplit(url_for("live.socket", topics=",".join(topics)))
    return f"{parts.path}?{parts.query}"


@bp.app_template_global("live_page_topics")
def _page_topics(page_topics: list[str] | None = None) -> list[str]:
    """The page's own topics plus, when signed in, the member's notifications."""
    mine = [user_topic(current_user.id)] if current_user.is_authenticated else []
    return list(dict.fromkeys([*(page_topics or []), *mine]))


@bp.before_request
def refuse_compression() -> None:
    """Answer the handshake without permessage-deflate.

    One frame is built per broadcast, not one compressor per socket.
    """
    if request.endpoint == "live.socket":
        request.environ.pop("HTTP_SEC_WEBSOCKET_EXTENSIONS", None)


def _same_origin() -> bool:
    origin = request.headers.get("Origin")
    site = urlsplit(str(current_app.config.get("SITE_URL") or "")).netloc
    return origin is None or urlsplit(origin).netloc in {request.host, site}


@sock.route("/ws", bp=bp)
def socket(ws) -> None:
    """Push the fragments of ?topics=… to this browser until it leaves."""
    user_id = int(current_user.id) if current_user.is_authenticated else None
    db.session.remove()  # a socket lives for hours: give its database connection back now
    hub = hub_for(app_object())
    try:
        subscriber = hub.admit(
            ws, request.args.get("topics"), user_id=user_id,
            address=request.remote_addr or "-", same_origin=_same_origin(),
        )
    except Refused as refusal:
        ws.close(reason=refusal.code, message=refusal.reason)
        return
    hub.serve(subscriber)


@bp.get("/live/catch-up")
def catch_up() -> Response | str:
    """The fragments one topic published since the page's last cursor (asked after each reconnect)."""
    try:
        topic = parse_topic(request.args.get("topic"))
    except TopicError as error:
        abort(400, description=str(error))
    if not may_follow(topic, int(current_user.id) if current_user.is_authenticated else None):
        abort(401 if not current_user.is_authenticated else 403, description="These updates are for their member only.")
    after = request.args.get("after", "")
    if after and not is_cursor(after):
        abort(400, description="The cursor is not one this site gave out.")
    entries = live.missed(topic, after) if after else []
    if not entries:
        return Response(status=204)
    return render_template("live/_catch_up.html", entries=entries, topic_dom=dom_id(topic), cursor=entries[-1].cursor)


@admin_bp.before_request
@role_required(Role.ADMIN)
def admins_only() -> None:
    """Every /admin/live route is for admins only."""


@admin_bp.get("")
def dashboard() -> str:
    """Connections per process and topic, message rates and drops, and the broadcast form."""
    overview = live.overview()
    if is_htmx() and not request.headers.get("HX-Boosted"):
        return render_template("live/_admin_stats.html", overview=overview)
    return render_template("admin/live.html", overview=overview, form=BroadcastForm())


@admin_bp.post("/broadcast")
def broadcast() -> BaseResponse | str:
    """Send a notice to every page following a topic; audited."""
    form = BroadcastForm()
    if not form.validate_on_submit():
        abort(422, description=" ".join(e for errors in form.errors.values() for e in errors))
    try:
        cursor = live.broadcast_notice(current_user, form.topic.data or "", form.notice.data or "",
                                       ip_address=request.remote_addr)
    except RedisError:
        db.session.rollback()
        abort(503, description="The live hub is unreachable; nothing was sent.")
    db.session.commit()
    if is_htmx():
        return render_template("live/_broadcast_form.html", form=BroadcastForm(formdata=None), sent_to=form.topic.data,
                               cursor=cursor)
    flash(f"Notice sent to {form.topic.data}.")
    return redirect(url_for("live_admin.dashboard"))
