"""Writing in discussions: start one, reply, edit, delete, react, keep a draft (on the discussions blueprint).

Without JavaScript each form posts and is redirected back to the post it
changed; with htmx the answer is the changed fragment. A refused action
answers 4xx with a message and writes nothing.
"""
from __future__ import annotations

from flask import redirect, render_template, request, url_for
from flask_limiter.util import get_remote_address
from flask_login import current_user
from werkzeug.wrappers import Response

from webapp.auth.views import ask_to_sign_in
from webapp.discussions.views import bp, discussion_id_of, refusals
from webapp.extensions import limiter
from webapp.models import Discussion, Post
from webapp.services.community import discussion_page, discussions, drafts, posting, reactions
from webapp.services.community.discussion_live import discussion_ref, post_url
from webapp.services.community.errors import CommunityError, InvalidText
from webapp.services.return_paths import same_site_path
from webapp.templating import is_htmx

POSTING_LIMIT = "10 per minute;100 per hour"  # one budget for starting, replying, editing and deleting
REACTING_LIMIT = "60 per minute"


def member_key() -> str:
    """Limits count per member (many members may share one address), per address for visitors."""
    return f"member:{current_user.id}" if current_user.is_authenticated else get_remote_address()


def _text(name: str) -> str:
    return request.form.get(name, "")[: 2 * discussions.BODY_MAX]  # longer text is refused by its length anyway


@bp.post("/new")
@limiter.shared_limit(POSTING_LIMIT, scope="discussion-posting", key_func=member_key)
@refusals
def start(mint: str) -> str | tuple[str, int] | Response:
    """Start a discussion; a problem shows the form again with the text kept."""
    try:
        discussion = discussions.start(current_user, mint, _text("title"), _text("body"))
    except InvalidText as error:
        return render_template("discussions/new.html", token=discussions.token_of(mint), error=str(error),
                               title=_text("title"), body=_text("body"), limits=discussions.LIMITS), error.status
    return redirect(url_for(".show", mint=mint, ref=discussion_ref(discussion)))


@bp.route("/<ref>/comments/<int:post_id>/reply", methods=["GET"])
@refusals
def reply_form(mint: str, ref: str, post_id: int) -> str | Response:
    """The form to reply to a comment (inline with htmx, a page of its own otherwise)."""
    if not current_user.is_authenticated:
        return ask_to_sign_in()
    page = discussion_page.build_thread(mint, discussion_id_of(ref), post_id, current_user, levels=1)
    posting.participant(current_user)
    template = "discussions/_reply_form.html" if is_htmx() else "discussions/reply.html"
    return render_template(template, page=page, parent=page.focus, body=page.reply_draft.body if page.reply_draft
                           else "", error=None)


@bp.post("/<ref>/comments")
@limiter.shared_limit(POSTING_LIMIT, scope="discussion-posting", key_func=member_key)
@refusals
def reply(mint: str, ref: str) -> str | tuple[str, int] | Response:
    """A reply to the discussion or to one of its comments."""
    discussion = discussions.find(mint, discussion_id_of(ref))
    parent_text = request.form.get("parent_id", "")
    if not parent_text.isdigit() or len(parent_text) > 18:
        raise CommunityError("Say which post you reply to.", 400)
    try:
        post = posting.reply(current_user, discussion, int(parent_text), _text("body"))
    except InvalidText as error:
        return _reply_problem(mint, ref, int(parent_text), str(error))
    if not is_htmx():
        return redirect(post_url(discussion, post))
    page = discussion_page.build_thread(mint, discussion.id, post.id, current_user, levels=1)
    return render_template("discussions/_posted_reply.html", page=page, post=post)


def _reply_problem(mint: str, ref: str, parent_id: int, message: str) -> tuple[str, int]:
    discussion = discussions.find(mint, discussion_id_of(ref))
    opening = discussions.opening_post(discussion)
    if parent_id == opening.id:
        page = discussion_page.build(mint, discussion.id, current_user)
        parent = opening
    else:
        page = discussion_page.build_thread(mint, discussion.id, parent_id, current_user, levels=1)
        parent = page.focus or opening
    if not is_htmx():
        return render_template("discussions/reply.html", page=page, parent=parent, body=_text("body"),
                               error=message), 422
    html = render_template("discussions/_reply_form.html", page=page, parent=parent, body=_text("body"), error=message)
    return html, 422, {"HX-Retarget": f"#reply-slot-{parent.id}", "HX-Reswap": "innerHTML"}  # type: ignore[return-value]


@bp.get("/<ref>/posts/<int:post_id>/edit")
@refusals
def edit_form(mint: str, ref: str, post_id: int) -> str | Response:
    """The author's edit form (in place of the text with htmx, a page of its own otherwise)."""
    if not current_user.is_authenticated:
        return ask_to_sign_in()
    discussion = discussions.find(mint, discussion_id_of(ref))
    post = posting.post_in(discussion, post_id)
    if post.author_id != current_user.id:
        raise CommunityError("Only its author can change this post.", 403)
    template = "discussions/_edit_form.html" if is_htmx() else "discussions/edit.html"
    return render_template(template, discussion=discussion, post=post, body=post.body, error=None)


@bp.post("/<ref>/posts/<int:post_id>/edit")
@limiter.shared_limit(POSTING_LIMIT, scope="discussion-posting", key_func=member_key)
@refusals
def edit(mint: str, ref: str, post_id: int) -> str | tuple[str, int] | Response:
    """The author edits their post; the text it replaces is kept in its history. Cancel changes nothing."""
    discussion = discussions.find(mint, discussion_id_of(ref))
    post = posting.post_in(discussion, post_id)
    if "cancel" in request.form:
        return _changed(discussion, post)
    try:
        post = posting.edit(current_user, discussion, post_id, _text("body"),
                            request.form.get("title") if post.depth == 0 else None)
    except InvalidText as error:
        template = "discussions/_edit_form.html" if is_htmx() else "discussions/edit.html"
        return render_template(template, discussion=discussion, post=post, body=_text("body"), error=str(error)), 422
    return _changed(discussion, post)


@bp.post("/<ref>/posts/<int:post_id>/delete")
@limiter.shared_limit(POSTING_LIMIT, scope="discussion-posting", key_func=member_key)
@refusals
def delete(mint: str, ref: str, post_id: int) -> str | Response:
    """The author deletes their post: "[deleted]" stays in its place and its replies remain."""
    discussion = discussions.find(mint, discussion_id_of(ref))
    post = posting.delete(current_user, discussion, post_id)
    return _changed(discussion, post)


def _changed(discussion: Discussion, post: Post) -> str | Response:
    if not is_htmx():
        return redirect(post_url(discussion, post))
    return render_template("discussions/_post_article.html", page=discussion_page.build_post(post, current_user),
                           post=post, discussion=discussion)


@bp.post("/<ref>/posts/<int:post_id>/reactions")
@limiter.limit(REACTING_LIMIT, key_func=member_key)
@refusals
def react(mint: str, ref: str, post_id: int) -> str | Response:
    """Turn one of the member's reactions on a post on or off."""
    discussion = discussions.find(mint, discussion_id_of(ref))
    # the page's buttons send reaction=<kind>:<1 on|0 off>; kind and on as fields work too
    kind, _, on = request.form.get("reaction", "").partition(":")
    reactions.set_reaction(current_user, discussion, post_id, kind or request.form.get("kind", ""),
                           (on or request.form.get("on", "1")) == "1")
    post = posting.post_in(discussion, post_id)
    if not is_htmx():
        return redirect(post_url(discussion, post))
    mine = reactions.mine(current_user.id, [post.id])
    return render_template("discussions/_reaction_bar.html", discussion=discussion, post=post, mine=mine,
                           signed_in=True)


@bp.post("/drafts")
@limiter.limit("120 per minute", key_func=member_key)
@refusals
def save_draft(mint: str) -> str | Response:
    """Keep what the member has typed so far (htmx while they type; the "Save draft" button without it)."""
    member = posting.participant(current_user)
    key = request.form.get("draft_key", "")
    drafts.save(member.id, key, request.form.get("title", ""), request.form.get("body", ""))
    if is_htmx():
        return render_template("discussions/_draft_status.html", saved=True)
    return redirect(same_site_path(request.form.get("back")) or url_for(".new", mint=mint))
