"""Discussion pages: /tokens/<mint>/discussions and /tokens/<mint>/discussions/<id>-<slug>.

Every page is a full page without JavaScript; htmx asks for the same URL and
gets the fragment (is_htmx), with the same checks. Writing is in posts.py.
"""
from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import ParamSpec, TypeVar

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from webapp.auth.views import ask_to_sign_in
from webapp.discussions import links
from webapp.services import page_cache
from webapp.services.community import comment_tree, discussion_page, discussions, drafts, reactions, trending
from webapp.services.community.discussion_live import discussion_ref
from webapp.services.community.errors import CommunityError
from webapp.templating import is_htmx

bp = Blueprint("discussions", __name__, url_prefix="/tokens/<mint>/discussions")
bp.add_app_template_global(discussion_ref, "discussion_ref")
bp.add_app_template_global(links.post_address, "post_address")
bp.add_app_template_global(links.profile_address, "profile_address")
bp.record_once(lambda state: state.app.jinja_env.globals.update(reaction_emoji=reactions.EMOJI))
P = ParamSpec("P")
R = TypeVar("R")


def refusals(view: Callable[P, R]) -> Callable[P, R]:
    """A refused action or unknown page answers with its status and message (page, fragment or JSON)."""
    @wraps(view)
    def guarded(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return view(*args, **kwargs)
        except CommunityError as error:
            abort(error.status, description=str(error))
    return guarded


def discussion_id_of(ref: str) -> int:
    """The id at the front of "<id>-<slug>" (the slug is only for people)."""
    head = ref.split("-", 1)[0]
    if not head.isdigit() or len(head) > 18:
        abort(404, description="There is no such discussion on this token.")
    return int(head)


def cursor_arg(name: str = "after") -> int | None:
    value = request.args.get(name, "").strip()
    if not value:
        return None
    if not value.isdigit() or len(value) > 18:
        abort(400, description="That page link is damaged: start from the first page.")
    return int(value)


@bp.get("")
@refusals
def index(mint: str) -> str:
    """The token's discussions, hot / new / top this week, with "show more"."""
    listing = discussions.listing(mint, request.args.get("sort", "hot"), request.args.get("cursor") or None)
    template = "discussions/_list.html" if is_htmx() and request.args.get("cursor") else "discussions/index.html"
    return render_template(template, listing=listing, sorts=discussions.SORTS, formula=trending.FORMULA)


@bp.get("/new")
@refusals
def new(mint: str) -> str | Response:
    """The form to start a discussion (with the member's draft, if they left one)."""
    if not current_user.is_authenticated:
        return ask_to_sign_in()
    token = discussions.token_of(mint)
    draft = drafts.load(current_user.id, drafts.discussion_key(mint))
    return render_template("discussions/new.html", token=token, error=None, title=draft.title if draft else "",
                           body=draft.body if draft else "", limits=discussions.LIMITS)


@bp.get("/<ref>")
@refusals
def show(mint: str, ref: str) -> str | bytes | Response:
    """The discussion, its opening post and a page of its comments (oldest or newest first)."""
    discussion_id, order, after = discussion_id_of(ref), request.args.get("order", "old"), cursor_arg()
    try:
        if after is None and not is_htmx() and page_cache.sees_anonymous_page():
            # signed-out visitors share one copy of each first page for a moment; live updates catch them up
            seconds = int(current_app.config.get("DISCUSSION_PAGE_CACHE_SECONDS",
                                                 current_app.config["TOKEN_PAGE_CACHE_SECONDS"]))
            return page_cache.anonymous_page(f"discussion:{mint}:{ref}:{order[:8]}", seconds,
                                             lambda: _render_show(mint, ref, discussion_id, order, None, True))
        return _render_show(mint, ref, discussion_id, order, after)
    except _Moved as moved:
        return redirect(moved.url, 301)


class _Moved(Exception):
    """The discussion lives at another address (the id alone, or an old slug)."""

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.url = url


def _render_show(mint: str, ref: str, discussion_id: int, order: str, after: int | None,
                 shared: bool = False) -> str:
    page = discussion_page.build(mint, discussion_id, current_user, order, after)
    if ref != discussion_ref(page.discussion):
        query = request.query_string.decode("latin-1")
        canonical = url_for(".show", mint=mint, ref=discussion_ref(page.discussion))
        raise _Moved(f"{canonical}?{query}" if query else canonical)
    if is_htmx() and after is not None:
        return render_template("discussions/_tree_page.html", page=page, tree=page.tree)
    return render_template("discussions/show.html", page=page, orders=comment_tree.ORDERS, shared_page=shared)


@bp.get("/<ref>/comments/<int:post_id>")
@refusals
def comment(mint: str, ref: str, post_id: int) -> str:
    """One comment and its replies: where "continue this thread" leads."""
    page = discussion_page.build_thread(mint, discussion_id_of(ref), post_id, current_user)
    return render_template("discussions/thread.html", page=page)


@bp.get("/<ref>/comments/<int:post_id>/replies")
@refusals
def more_replies(mint: str, ref: str, post_id: int) -> str:
    """The next replies of a comment after the ones shown ("more replies")."""
    levels = cursor_arg("levels") or comment_tree.LEVELS
    page = discussion_page.build_thread(mint, discussion_id_of(ref), post_id, current_user, cursor_arg() or 0, levels)
    if is_htmx():
        return render_template("discussions/_tree_page.html", page=page, tree=page.tree)
    return render_template("discussions/thread.html", page=page)


@bp.get("/<ref>/posts/<int:post_id>/history")
@refusals
def history(mint: str, ref: str, post_id: int) -> str:
    """A post's earlier versions: its author sees their own, moderators and admins every post's."""
    found = discussion_page.build_history(mint, discussion_id_of(ref), post_id, current_user)
    template = "discussions/_history.html" if is_htmx() else "discussions/history.html"
    return render_template(template, history=found)


from webapp.discussions import posts  # noqa: E402,F401  (the writing routes, on this blueprint)
