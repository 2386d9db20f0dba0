"""Profiles: every wallet has one, a member's or not; members edit their own name and bio."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from webapp.extensions import limiter
from webapp.profiles.forms import ProfileForm
from webapp.services import profile_page
from webapp.services.community import follows, member_profile
from webapp.templating import is_htmx

bp = Blueprint("profiles", __name__)


@bp.get("/u/<wallet>")
def show(wallet: str) -> str:
    """A wallet's public profile: membership, follows, posts, holdings, on-chain activity and payouts."""
    try:
        page = profile_page.build(wallet, current_user if current_user.is_authenticated else None)
    except profile_page.InvalidWallet as error:
        abort(404, description=str(error))
    return render_template("profiles/show.html", page=page)


@bp.get("/u/<wallet>/<any(followers, following):which>")
def follow_list(wallet: str, which: str) -> str:
    """Who follows the member, or whom they follow, newest first; "show more" pages by keyset."""
    try:
        member = follows.member_by_wallet(profile_page.parse_wallet(wallet))
    except (follows.FollowError, profile_page.InvalidWallet) as error:
        abort(404, description=str(error))
    before = request.args.get("before", type=int)
    listed = (follows.followers if which == "followers" else follows.following)(member.id, before)
    more = is_htmx() and before is not None
    return render_template("profiles/_follow_rows.html" if more else "profiles/follow_list.html",
                           member=member, which=which, listed=listed)


@bp.route("/settings/profile", methods=["GET", "POST"])
@login_required
@limiter.limit("20 per minute", methods=["POST"])
def settings() -> str | tuple[str, int] | Response:
    """The signed-in member's display name and bio."""
    form = ProfileForm(data={"display_name": current_user.display_name or "", "bio": current_user.bio or ""})
    if request.method == "GET":
        return render_template("profiles/settings.html", form=form, error=None)
    if not form.validate_on_submit():
        return render_template("profiles/settings.html", form=form, error=_first_error(form)), 422
    try:
        member_profile.update(current_user, form.display_name.data or "", form.bio.data or "")
    except member_profile.ProfileError as error:
        return render_template("profiles/settings.html", form=form, error=error), 422
    flash("Your profile is saved.")
    return redirect(url_for("profiles.show", wallet=current_user.wallet))


def _first_error(form: ProfileForm) -> member_profile.ProfileError:
    field, messages = next(iter(form.errors.items()))
    return member_profile.ProfileError(str(field), "; ".join(str(m) for m in messages))
