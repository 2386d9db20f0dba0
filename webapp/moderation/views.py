"""Reporting posts and /admin/moderation."""
from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from webapp.extensions import db, limiter
from webapp.models import Post, Role, User
from webapp.moderation.forms import MemberActionForm, PostActionForm, ReportForm, SuspendForm, form_errors
from webapp.security import role_required
from webapp.services.community import moderation, moderation_queue, reports
from webapp.services.return_paths import same_site_path
from webapp.templating import is_htmx

bp = Blueprint("moderation", __name__)


@bp.app_template_global("open_report_count")
def _open_report_count() -> int:
    """Posts waiting in the moderation queue (the admin nav's badge)."""
    return moderation_queue.open_post_count()


@bp.app_template_global("report_reasons")
def _report_reasons() -> dict[str, str]:
    return reports.REPORT_REASONS


@bp.app_template_filter("utc_time")
def _utc_time(moment: datetime | None) -> str:
    """"06 Dec 2026, 14:05 UTC"."""
    return moment.astimezone(UTC).strftime("%d %b %Y, %H:%M UTC") if moment else ""


def _reporter_key() -> str:
    return f"member:{current_user.id}" if current_user.is_authenticated else request.remote_addr or "anonymous"


def _report_limit() -> str:
    return str(current_app.config.get("RATELIMIT_REPORTS", "10 per minute"))


def _post(post_id: int) -> Post:
    return db.session.get(Post, post_id) or abort(404, description="No such post.")


@bp.get("/posts/<int:post_id>/report")
@login_required
def report_form(post_id: int) -> str:
    """The report form as a page of its own (what the Report control opens without JavaScript)."""
    post = _post(post_id)
    return render_template("moderation/report.html", post=post, form=ReportForm(), rules=reports.weight_rules_text(),
                           reported=reports.already_reported(current_user.id, post.id),
                           back=same_site_path(request.args.get("next")), context_url=moderation.post_context_url(post))


@bp.post("/posts/<int:post_id>/report")
@limiter.limit(_report_limit, key_func=_reporter_key)
def report_post(post_id: int) -> str | Response | tuple[str, int]:
    """File the signed-in member's report of a post."""
    post = _post(post_id)
    form = ReportForm()
    if not form.validate_on_submit():
        abort(422, description=form_errors(form))
    try:
        reports.file_report(current_user if current_user.is_authenticated else None, post, form.reason.data or "",
                            form.details.data or "")
    except reports.ReportRefused as refusal:
        abort(refusal.status, description=str(refusal))
    if is_htmx():
        return render_template("moderation/_report_control.html", post=post, reported_now=True)
    flash("Thanks: your report is with the moderators.")
    return redirect(same_site_path(request.form.get("next")) or url_for("moderation.report_form", post_id=post.id))


@bp.get("/admin/moderation")
@role_required(Role.MODERATOR)
def queue() -> str:
    """Reported posts with their reports, newest report first, for moderators and admins."""
    try:
        page = moderation_queue.build(request.args.get("status", "open"), request.args.get("after"))
    except ValueError as error:
        abort(400, description=str(error))
    template = "moderation/_queue.html" if is_htmx() else "moderation/queue.html"
    return render_template(template, page=page, fragment=is_htmx(), action_form=PostActionForm(),
                           member_form=MemberActionForm(), suspend_form=SuspendForm())


def _back_to_queue(message: str) -> Response:
    flash(message)
    status = request.form.get("status", "open")
    return redirect(url_for("moderation.queue", status=status if status in moderation_queue.FILTERS else "open"))


@bp.post("/admin/moderation/posts")
@role_required(Role.MODERATOR)
def moderate_posts() -> Response:
    """Hide, restore, remove or dismiss the reports of one ticked post or many; audited."""
    form = PostActionForm()
    if not form.validate_on_submit():
        abort(422, description=form_errors(form))
    ids = [int(value) for value in request.form.getlist("post_id") if value.isdigit()]
    try:
        posts = moderation.moderate_posts(current_user, ids, form.action.data or "", form.reason.data,
                                          request.remote_addr)
    except moderation.ModerationRefused as refusal:
        abort(refusal.status, description=str(refusal))
    done = {"hide": "Hid", "restore": "Restored", "remove": "Removed", "dismiss": "Dismissed the reports of"}
    count = len(posts)
    return _back_to_queue(f"{done.get(form.action.data or '', 'Done')} {count} post{'' if count == 1 else 's'}.")


def _member(user_id: int) -> User:
    return db.session.get(User, user_id) or abort(404, description="No such member.")


@bp.post("/admin/moderation/members/<int:user_id>/warn")
@role_required(Role.MODERATOR)
def warn_member(user_id: int) -> Response:
    """Warn a member with a reason they are told; audited."""
    member, form = _member(user_id), MemberActionForm()
    if not form.validate_on_submit():
        abort(422, description=form_errors(form))
    try:
        moderation.warn(current_user, member, form.reason.data, request.remote_addr)
    except moderation.ModerationRefused as refusal:
        abort(refusal.status, description=str(refusal))
    return _back_to_queue(f"Warned {member.name}.")


@bp.post("/admin/moderation/members/<int:user_id>/suspend")
@role_required(Role.MODERATOR)
def suspend_member(user_id: int) -> Response:
    """Suspend a member for a period, with a reason; audited."""
    member, form = _member(user_id), SuspendForm()
    if not form.validate_on_submit():
        abort(422, description=form_errors(form))
    try:
        until = moderation.suspension_end(form.period.data or "", form.until.data)
        moderation.suspend(current_user, member, until, form.reason.data, request.remote_addr)
    except moderation.ModerationRefused as refusal:
        abort(refusal.status, description=str(refusal))
    return _back_to_queue(f"Suspended {member.name} until {until:%Y-%m-%d %H:%M} UTC.")


@bp.post("/admin/moderation/members/<int:user_id>/lift")
@role_required(Role.MODERATOR)
def lift_suspension(user_id: int) -> Response:
    """End a member's suspension now; audited."""
    member, form = _member(user_id), MemberActionForm()
    if not form.validate_on_submit():
        abort(422, description=form_errors(form))
    try:
        moderation.lift_suspension(current_user, member, form.reason.data, request.remote_addr)
    except moderation.ModerationRefused as refusal:
        abort(refusal.status, description=str(refusal))
    return _back_to_queue(f"Lifted the suspension of {member.name}.")
