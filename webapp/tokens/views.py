"""The tokens directory and each token's page."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from markupsafe import Markup
from sqlalchemy import select
from werkzeug.wrappers import Response

from webapp.extensions import db
from webapp.models import LaunchApplication
from webapp.services import launches, page_cache, token_directory, token_images, token_page, vesting_chart
from webapp.services.indexer.candles import INTERVALS
from webapp.templating import is_htmx
from webapp.tokens.forms import LaunchForm

bp = Blueprint("tokens", __name__, url_prefix="/tokens")


@bp.get("/")
def index() -> str:
    """Every tracked token: filter, sort, search; the list swaps through htmx and works as plain links."""
    filters = {key: request.args.get(key, "").strip()[:64] for key in ("q", "tier", "graduated")}
    sort = request.args.get("sort", "trending")
    try:
        page = token_directory.directory(search=filters["q"], tier=filters["tier"], graduated=filters["graduated"],
                                         sort=sort, cursor=request.args.get("cursor") or None)
    except token_directory.DirectoryError as error:
        abort(400, description=str(error))
    template = "tokens/_directory.html" if is_htmx() else "tokens/index.html"
    more = is_htmx() and bool(request.args.get("cursor"))  # "show more" appends cards in place
    return render_template(template, page=page, sort=sort, sorts=token_directory.SORTS, more=more, **filters)


@bp.get("/<mint>")
def show(mint: str) -> str | bytes:
    """One token: price, market cap, chart, holders, trades (title and body cached for a moment)."""
    return _token_page(mint, token_page.DEFAULT_INTERVAL)


def _token_page(mint: str, interval: str) -> str | bytes:
    seconds = int(current_app.config["TOKEN_PAGE_CACHE_SECONDS"])
    key = f"token:{mint}" if interval == token_page.DEFAULT_INTERVAL else f"token:{mint}:{interval}"
    if not page_cache.sees_anonymous_page():
        return _render_token_page(mint, interval, key, seconds)
    return page_cache.anonymous_page(key, seconds,
                                     lambda: _render_token_page(mint, interval, key, seconds, shared=True))


def _render_token_page(mint: str, interval: str, key: str, seconds: int, shared: bool = False) -> str:
    cached = page_cache.cached_text(key, seconds, lambda: _render_token_body(mint, interval))
    title, _, body = cached.partition("\x00")
    return render_template("tokens/show.html", title=title, body=Markup(body), mint=mint, shared_page=shared)


def _render_token_body(mint: str, interval: str) -> str:
    """The page's title, a NUL, then its body: both cacheable, neither depends on the visitor."""
    try:
        page = token_page.build(mint, interval)
    except token_page.TokenNotFound as error:
        abort(404, description=str(error))
    return page.title + "\x00" + render_template("tokens/_token_body.html", page=page)


@bp.get("/<mint>/chart")
def chart(mint: str) -> str | bytes:
    """The candle chart at another interval (a fragment for htmx, the page at that interval otherwise)."""
    interval = request.args.get("interval", token_page.DEFAULT_INTERVAL)
    if interval not in INTERVALS:
        abort(400, description=f"Unknown interval {interval!r}; use one of {', '.join(INTERVALS)}.")
    if not is_htmx():
        return _token_page(mint, interval)
    try:
        return render_template("tokens/_chart.html", chart=token_page.chart(mint, interval))
    except token_page.TokenNotFound as error:
        abort(404, description=str(error))


@bp.get("/images/<digest>")
def image(digest: str) -> Response:
    """A token's picture: its URL names its content hash, so browsers and proxies may keep it for good."""
    found = token_images.load(digest)
    if found is None:
        abort(404, description="No token image has this address.")
    response = Response(found.data, mimetype=found.content_type)
    response.set_etag(found.digest)
    response.cache_control.public = True
    response.cache_control.max_age = 365 * 24 * 3600
    response.cache_control.immutable = True
    return response.make_conditional(request)


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new() -> str | tuple[str, int] | Response:
    """Apply for a launch; an admin reviews it at /admin/launches."""
    form = LaunchForm()
    if form.validate_on_submit():
        draft, problems = form.draft()
        try:
            if problems:
                raise launches.LaunchError(" ".join(problems))
            application = launches.submit(current_user, draft)
        except launches.LaunchError as error:
            return render_template("tokens/new.html", form=form, error=str(error)), 422
        flash(f"Application for {application.symbol} sent: an admin will review it.")
        return redirect(url_for("tokens.applications"))
    if request.method == "POST":
        return render_template("tokens/new.html", form=form, error="Please fix the fields marked below."), 422
    return render_template("tokens/new.html", form=form, error=None)


@bp.get("/applications")
@login_required
def applications() -> str:
    """The signed-in member's launch applications and what became of them."""
    rows = db.session.scalars(select(LaunchApplication).where(LaunchApplication.applicant_id == current_user.id)
                              .order_by(LaunchApplication.id.desc())).all()
    return render_template("tokens/applications.html", applications=rows)


@bp.post("/new/vesting-preview")
@login_required
def vesting_preview() -> str:
    """The vesting chart for the numbers currently in the form (htmx, on change)."""
    numbers = [request.form.get(name, "") for name in ("cliff_days", "vesting_days", "unlock_period_days")]
    if not all(value.strip().isdigit() for value in numbers):
        return render_template("tokens/_vesting_preview.html",
                               preview="Enter whole days for cliff, duration and period.")
    cliff, duration, period = (min(int(value), 3650) for value in numbers)
    return render_template("tokens/_vesting_preview.html",
                           preview=vesting_chart.render_vesting_preview(cliff, duration, period))
