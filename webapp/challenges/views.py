"""Challenges on a token: list, create, enter, review (full pages; htmx swaps the entry and review fragments)."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from webapp.challenges.forms import ChallengeForm
from webapp.errors import error_response
from webapp.extensions import db, limiter
from webapp.services.community import challenge_pages, challenges
from webapp.services.community.challenge_pages import ChallengeNotFound
from webapp.services.community.challenges import ChallengeRefused, InvalidChallenge
from webapp.templating import is_htmx

bp = Blueprint("challenges", __name__, url_prefix="/tokens/<mint>/challenges")


def _member_key() -> str:
    """Rate limits count per member (signed out: per address; those requests are refused anyway)."""
    return f"member:{current_user.id}" if current_user.is_authenticated else f"ip:{request.remote_addr}"


@bp.errorhandler(ChallengeNotFound)
def _not_found(error: ChallengeNotFound) -> Response:
    return error_response(404, str(error))


@bp.errorhandler(ChallengeRefused)
def _refused(error: ChallengeRefused) -> Response:
    """Nothing was written: a page (or, for htmx, an alert) that says why."""
    db.session.rollback()
    return error_response(error.status, error.message)


@bp.get("")
def index(mint: str) -> str:
    """Running, upcoming and ended challenges of the token."""
    return render_template("challenges/index.html", page=challenge_pages.build_list(mint, current_user))


@bp.route("/new", methods=["GET", "POST"])
@limiter.limit("20 per hour", key_func=_member_key, methods=["POST"])
def new(mint: str) -> str | Response | tuple[str, int]:
    """The team's (or an admin's) form; a valid one creates the challenge and opens its page."""
    token = challenge_pages.token_or_404(mint)
    challenges.ensure_can_create(current_user, token)
    form = ChallengeForm()
    if request.method == "GET":
        return render_template("challenges/new.html", form=form, token=token, problems=[])
    try:
        draft = challenges.parse_draft(request.form, token)
    except InvalidChallenge as error:
        return render_template("challenges/new.html", form=form, token=token, problems=error.problems), 422
    challenge = challenges.create(current_user, token, draft, ip_address=request.remote_addr)
    flash(f"Challenge “{challenge.title}” created.")
    return redirect(url_for("challenges.show", mint=mint, challenge_id=challenge.id), 303)


@bp.get("/<int:challenge_id>")
def show(mint: str, challenge_id: int) -> str:
    """The challenge, its accepted entries, the visitor's own entry, and the entries to review for reviewers."""
    page = challenge_pages.build(mint, challenge_id, current_user)
    return render_template("challenges/show.html", page=page)


@bp.post("/<int:challenge_id>/entries")
@limiter.limit("10 per minute", key_func=_member_key)
def enter(mint: str, challenge_id: int) -> str | Response:
    """Submit the member's one entry: text, a link, or both."""
    challenge = challenge_pages.challenge_on(challenge_pages.token_or_404(mint), challenge_id)
    challenges.submit_entry(current_user, challenge, request.form.get("text", ""), request.form.get("link", ""))
    if is_htmx():
        return render_template("challenges/_own_entry.html", page=challenge_pages.build(mint, challenge_id,
                                                                                        current_user))
    flash("Your entry is in: a reviewer will accept or reject it.")
    return redirect(url_for("challenges.show", mint=mint, challenge_id=challenge_id), 303)


@bp.post("/<int:challenge_id>/entries/<int:entry_id>/review")
@limiter.limit("60 per minute", key_func=_member_key)
def review(mint: str, challenge_id: int, entry_id: int) -> str | Response:
    """Accept or reject an entry with a reason (a rejection needs one)."""
    challenge = challenge_pages.challenge_on(challenge_pages.token_or_404(mint), challenge_id)
    decision = request.form.get("decision", "")
    entry = challenges.review_entry(current_user, challenge_pages.entry_in(challenge, entry_id), decision,
                                    request.form.get("reason", ""), ip_address=request.remote_addr)
    if is_htmx():
        return render_template("challenges/_review_item.html", view=challenge_pages.entry_view(entry),
                               page=challenge_pages.build(mint, challenge_id, current_user))
    flash(f"Entry {decision}ed; the entrant has been notified.")
    return redirect(url_for("challenges.show", mint=mint, challenge_id=challenge_id), 303)
