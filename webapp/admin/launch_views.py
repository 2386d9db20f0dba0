"""Admin review of launch applications (registered on the admin blueprint)."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import case, select
from werkzeug.wrappers import Response

from webapp.admin.views import bp
from webapp.extensions import db, redis_client
from webapp.models import LaunchApplication
from webapp.services import launches


@bp.get("/launches")
def launches_queue() -> str:
    """Pending applications first, then the rest, newest first."""
    pending_first = case((LaunchApplication.status == "pending", 0), else_=1)
    rows = db.session.scalars(
        select(LaunchApplication).order_by(pending_first, LaunchApplication.id.desc()).limit(100)).all()
    return render_template("admin/launches.html", applications=rows)


@bp.post("/launches/<int:application_id>/review")
def review_launch(application_id: int) -> Response:
    """Approve (queues the on-chain launch) or reject with a reason; audited."""
    application = db.session.get(LaunchApplication, application_id) or abort(404, description="No such application.")
    decision = request.form.get("decision")
    if decision not in ("approve", "reject"):
        abort(422, description="Choose approve or reject.")
    try:
        launches.review(current_user, application, approve=decision == "approve",
                        reason=request.form.get("reason", ""), ip_address=request.remote_addr)
    except launches.LaunchError as error:
        abort(422, description=str(error))
    if decision == "approve":
        from rq import Queue

        Queue("default", connection=redis_client()).enqueue("worker.jobs.launch_token", application.id, job_timeout=600)
        flash(f"{application.symbol} approved: the mint is being created on chain.")
    else:
        flash(f"{application.symbol} rejected; the applicant sees your reason.")
    return redirect(url_for("admin.launches_queue"))
