"""The admin shell: members and roles, and the audit log."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select
from werkzeug.wrappers import Response

from webapp.admin.forms import RoleForm
from webapp.extensions import db
from webapp.models import Role, User
from webapp.security import role_required
from webapp.services import accounts, audit
from webapp.templating import is_htmx

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
@role_required(Role.ADMIN)
def admins_only() -> None:
    """Every /admin route, fragments included, is for admins only."""


@bp.get("/")
def dashboard() -> str:
    """Counts at a glance and links to each admin page."""
    counts = dict(db.session.execute(select(User.role, func.count()).group_by(User.role)).all())
    recent = db.session.scalars(audit.entries_query().limit(8)).all()
    return render_template("admin/dashboard.html", counts=counts, recent=recent)


@bp.get("/users")
def users() -> str:
    """Search, filter and page through members."""
    search = request.args.get("q", "").strip()[:64]
    role = request.args.get("role", "")
    if role and role not in {r.value for r in Role}:
        abort(400, description=f"Unknown role filter {role!r}.")
    page = db.paginate(
        accounts.users_query(search, role),
        per_page=int(current_app.config["USERS_PER_PAGE"]),
        error_out=False,
    )
    template = "admin/_users_table.html" if is_htmx() else "admin/users.html"
    return render_template(template, page=page, q=search, role=role, roles=list(Role), form=RoleForm())


@bp.post("/users/<int:user_id>/role")
def change_role(user_id: int) -> str | Response:
    """Give a member a new role; audited."""
    user = db.session.get(User, user_id) or abort(404, description="No such member.")
    form = RoleForm()
    if not form.validate_on_submit():
        abort(422, description="; ".join(e for errs in form.errors.values() for e in errs))
    try:
        accounts.change_role(current_user, user, form.role.data, ip_address=request.remote_addr)
    except accounts.RoleChangeError as error:
        abort(422, description=str(error))
    if is_htmx():
        return render_template("admin/_user_row.html", user=user, form=RoleForm(), saved=True)
    flash(f"{user.name} is now {user.role}.")
    return redirect(url_for("admin.users", q=user.wallet))


@bp.get("/audit")
def audit_log() -> str:
    """Every admin and moderator action, newest first."""
    action = request.args.get("action", "").strip()[:64]
    page = db.paginate(
        audit.entries_query(action or None),
        per_page=int(current_app.config["AUDIT_PER_PAGE"]),
        error_out=False,
    )
    template = "admin/_audit_table.html" if is_htmx() else "admin/audit.html"
    return render_template(template, page=page, action=action, actions=audit.known_actions())

