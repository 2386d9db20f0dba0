"""Admin review of launch applications (registered on the admin blueprint)."""
from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import case, select
from werkzeug.wrappers import Response

from webapp.admin.views import bp
from webapp.extensions import db, redis_client, solana_client
from webapp.models import LaunchApplication
from webapp.services import launches


@bp.get("/launches")
def launches_queue() -> str:
    """Pending applications first, then the rest, newest first."""
    return _queue_page()


def _queue_page(problem: tuple[int, str] | None = None, reason: str = "") -> str:
    """The queue; `problem` (application id, message) shows inline on that application's review form."""
    pending_first = case((LaunchApplication.status == "pending", 0), else_=1)
    query = select(LaunchApplication).order_by(pending_first, LaunchApplication.id.desc()).limit(100)
    return render_template("admin/launches.html", applications=db.session.scalars(query).all(), problem=problem,
                           reason=reason, pool_seed=launches.pool_seed())


@bp.post("/launches/<int:application_id>/review")
def review_launch(application_id: int) -> Response | tuple[str, int]:
    """Approve (queues the on-chain launch) or reject with a reason; audited."""
    application = db.session.get(LaunchApplication, application_id) or abort(404, description="No such application.")
    decision, reason = request.form.get("decision"), request.form.get("reason", "")[:1000]
    try:
        if decision not in ("approve", "reject"):
            raise launches.LaunchError("Choose approve or reject.")
        launches.review(current_user, application, approve=decision == "approve", reason=reason,
                        ip_address=request.remote_addr,
                        client=solana_client() if current_app.config["SOLANA_RPC_URLS"] else None)
    except launches.LaunchError as error:
        db.session.rollback()
        return _queue_page((application_id, str(error)), reason), 422
    if decision == "approve":
        from rq import Queue

        Queue("default", connection=redis_client()).enqueue("worker.jobs.launch_token", application.id, job_timeout=600)
        flash(f"{application.symbol} approved: the mint is being created on chain.")
    else:
        flash(f"{application.symbol} rejected; the applicant sees your reason.")
    return redirect(url_for("admin.launches_queue"))
