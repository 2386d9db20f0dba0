"""What moderators and admins do to posts and members, each action audited and told to the member it affects.

Post actions (hide, restore, remove, dismiss) take one post or many at once;
either all of them apply or none does. Each resolves the post's open reports
(upheld when the post is hidden or removed, dismissed otherwise), zeroes its
report weight, writes an audit entry with the reason and the effect, notifies
the author (and, when upheld, the reporters) and pushes the post's new state
to its discussion's open pages after the commit.

Rank rules: a moderator acts on members only; an admin on members and
moderators; nobody on themselves or on an admin.
"""
from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update

from webapp.extensions import db
from webapp.models import NotificationKind, Post, PostState, Report, ReportStatus, Role, User
from webapp.services import audit
from webapp.services.community import notifications
from webapp.services.community.reports import AUTO_HIDDEN_REASON, push_post_state

MAX_REASON = 500
MAX_BULK = 100
SUSPENSION_PERIODS: dict[str, timedelta] = {"1d": timedelta(days=1), "7d": timedelta(days=7),
                                            "30d": timedelta(days=30)}
MAX_SUSPENSION = timedelta(days=3650)


class ModerationRefused(Exception):
    """The action cannot be taken; `status` is the HTTP status that says why."""

    def __init__(self, message: str, status: int = 422) -> None:
        super().__init__(message)
        self.status = status


class PostAction(enum.StrEnum):
    HIDE = "hide"
    RESTORE = "restore"
    REMOVE = "remove"
    DISMISS = "dismiss"


@dataclass(frozen=True)
class _Effect:
    state: str | None  # the post's new state, None to keep it
    state_reason: str | None
    report_status: str
    needs_reason: bool
    verb: str  # "hid", for "A moderator hid your comment"


_EFFECTS: dict[PostAction, _Effect] = {
    PostAction.HIDE: _Effect(PostState.HIDDEN.value, "hidden by moderators", ReportStatus.UPHELD.value, True, "hid"),
    PostAction.REMOVE: _Effect(PostState.REMOVED.value, "removed by moderators", ReportStatus.UPHELD.value, True,
                               "removed"),
    PostAction.RESTORE: _Effect(PostState.VISIBLE.value, None, ReportStatus.DISMISSED.value, False, "restored"),
    PostAction.DISMISS: _Effect(None, None, ReportStatus.DISMISSED.value, False, ""),
}


def clean_reason(reason: str | None, required: bool) -> str:
    reason = (reason or "").strip()
    if required and not reason:
        raise ModerationRefused("Give a reason: the member is told it, and it goes to the audit log.")
    if len(reason) > MAX_REASON:
        raise ModerationRefused(f"Keep the reason to {MAX_REASON} characters (it has {len(reason)}).")
    return reason


def ensure_may_act_on(actor: User, member: User) -> None:
    """Moderators act on members, admins on members and moderators; nobody on themselves or an admin."""
    if not actor.has_role(Role.MODERATOR):
        raise ModerationRefused("Only moderators and admins moderate.", 403)
    if actor.id == member.id:
        raise ModerationRefused("You cannot moderate yourself; ask another moderator.", 403)
    if Role(member.role).rank >= Role(actor.role).rank:
        raise ModerationRefused(f"{member.name} is a {member.role}: only a higher role can act on them.", 403)


def _post_noun(post: Post) -> str:
    return "discussion" if post.depth == 0 else "comment"


def moderate_posts(actor: User, post_ids: Sequence[int], action: str, reason: str | None,
                   ip_address: str | None = None, now: datetime | None = None) -> list[Post]:
    """Apply `action` to every post in `post_ids`, or to none if any is refused; commits."""
    try:
        chosen = PostAction(action)
    except ValueError as error:
        raise ModerationRefused("Choose an action: hide, restore, remove or dismiss the reports.") from error
    effect = _EFFECTS[chosen]
    reason = clean_reason(reason, effect.needs_reason)
    ids = list(dict.fromkeys(post_ids))
    if not ids:
        raise ModerationRefused("Tick at least one post.")
    if len(ids) > MAX_BULK:
        raise ModerationRefused(f"Act on at most {MAX_BULK} posts at once.")
    posts = list(db.session.scalars(select(Post).where(Post.id.in_(ids)).order_by(Post.id).with_for_update(of=Post)))
    if len(posts) != len(ids):
        raise ModerationRefused("One of the posts no longer exists; reload the queue.", 404)
    for post in posts:
        ensure_may_act_on(actor, post.author)
        if post.state == PostState.DELETED.value and chosen is not PostAction.DISMISS:
            raise ModerationRefused(f"Post #{post.id} was deleted by its author; only its reports can be dismissed.")
        if post.state == PostState.REMOVED.value and chosen in (PostAction.HIDE, PostAction.RESTORE):
            raise ModerationRefused(f"Post #{post.id} was removed for good; it cannot be hidden or restored.", 409)
    now = now or datetime.now(UTC)
    changed = [post for post in posts if _apply(actor, post, chosen, effect, reason, ip_address, now)]
    db.session.commit()
    for post in changed:
        push_post_state(post)
    return posts


def _apply(actor: User, post: Post, action: PostAction, effect: _Effect, reason: str, ip_address: str | None,
           now: datetime) -> bool:
    """Change one post, resolve its reports, audit and notify; True when its state changed."""
    previous = post.state
    new_state = effect.state
    hidden_by_reports = post.state == PostState.HIDDEN.value and post.state_reason == AUTO_HIDDEN_REASON
    if action is PostAction.DISMISS and hidden_by_reports:
        new_state = PostState.VISIBLE.value  # the reports that hid it were unfounded
    if new_state is not None:
        post.state = new_state
        post.state_reason = effect.state_reason
    post.report_weight = 0
    reporter_ids = list(db.session.scalars(
        update(Report).where(Report.post_id == post.id, Report.status == ReportStatus.OPEN.value)
        .values(status=effect.report_status, resolved_at=now, resolved_by_id=actor.id)
        .returning(Report.reporter_id)))
    audit.record(actor, f"post.{action.value}", target_type="post", target_id=post.id, ip_address=ip_address,
                 details={"reason": reason, "author_id": post.author_id, "state": {"from": previous, "to": post.state},
                          "reports": {effect.report_status: len(reporter_ids)}})
    noun = _post_noun(post)
    url = post_context_url(post)
    upheld = effect.report_status == ReportStatus.UPHELD.value
    if post.state != previous or upheld:  # a moderator's hide of a post reports had hidden is news too
        verb = effect.verb or "restored"
        text = f"A moderator {verb} your {noun}" + (f": {reason}" if reason else ".")
        notifications.notify(post.author_id, NotificationKind.MODERATION, f"moderation:post:{post.id}", text,
                             url=url, data={"post_id": post.id, "action": action.value, "reason": reason})
    if upheld:
        for reporter_id in reporter_ids:
            notifications.notify(reporter_id, NotificationKind.MODERATION, f"moderation:report:{post.id}",
                                 f"Thanks for your report: a moderator {effect.verb} the {noun}.",
                                 url=url, data={"post_id": post.id})
    return post.state != previous


def post_context_url(post: Post) -> str:
    """The post in its discussion (a deep comment on its own thread page)."""
    from webapp.services.community import discussion_live

    return discussion_live.post_url(post.discussion, post)


def warn(actor: User, member: User, reason: str | None, ip_address: str | None = None) -> None:
    """Tell a member a moderator warned them, and why; audited."""
    ensure_may_act_on(actor, member)
    text = clean_reason(reason, True)
    notifications.notify(member.id, NotificationKind.MODERATION, f"moderation:warning:{member.id}",
                         f"A moderator warned you: {text}", data={"action": "warn", "reason": text})
    audit.record(actor, "user.warn", target_type="user", target_id=member.id, ip_address=ip_address,
                 details={"reason": text, "wallet": member.wallet})
    db.session.commit()


def suspension_end(period: str, until_date: str | None, now: datetime | None = None) -> datetime:
    """When a suspension of `period` (1d, 7d, 30d, or custom up to `until_date`, YYYY-MM-DD UTC) ends."""
    now = now or datetime.now(UTC)
    if period in SUSPENSION_PERIODS:
        return now + SUSPENSION_PERIODS[period]
    if period != "custom":
        raise ModerationRefused("Choose how long: 1 day, 7 days, 30 days or until a date.")
    try:
        day = datetime.strptime((until_date or "").strip(), "%Y-%m-%d").replace(tzinfo=UTC)
    except ValueError as error:
        raise ModerationRefused("Give the last day of the suspension as a date (YYYY-MM-DD).") from error
    end = day + timedelta(days=1)  # through the end of that day, UTC
    if end <= now:
        raise ModerationRefused("The suspension's end must be in the future.")
    if end - now > MAX_SUSPENSION:
        raise ModerationRefused("Suspend for at most ten years.")
    return end


def suspend(actor: User, member: User, until: datetime, reason: str | None, ip_address: str | None = None) -> None:
    """Suspend a member until `until`: no posting, reacting or reporting; audited and told to them."""
    ensure_may_act_on(actor, member)
    text = clean_reason(reason, True)
    previous = member.suspended_until
    member.suspended_until = until
    member.suspension_reason = text
    until_text = until.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    notifications.notify(member.id, NotificationKind.MODERATION, f"moderation:suspension:{member.id}",
                         f"A moderator suspended you until {until_text}: {text}",
                         data={"action": "suspend", "reason": text, "until": until.isoformat()})
    audit.record(actor, "user.suspend", target_type="user", target_id=member.id, ip_address=ip_address,
                 details={"reason": text, "wallet": member.wallet, "until": until.isoformat(),
                          "previous_until": previous.isoformat() if previous else None})
    db.session.commit()


def lift_suspension(actor: User, member: User, reason: str | None, ip_address: str | None = None) -> None:
    """End a member's suspension now; audited and told to them."""
    ensure_may_act_on(actor, member)
    text = clean_reason(reason, False)
    if not member.is_suspended():
        raise ModerationRefused(f"{member.name} is not suspended.", 409)
    previous = member.suspended_until
    member.suspended_until = None
    member.suspension_reason = None
    notifications.notify(member.id, NotificationKind.MODERATION, f"moderation:suspension:{member.id}",
                         "A moderator lifted your suspension" + (f": {text}" if text else "."),
                         data={"action": "lift", "reason": text})
    audit.record(actor, "user.unsuspend", target_type="user", target_id=member.id, ip_address=ip_address,
                 details={"reason": text, "wallet": member.wallet,
                          "previous_until": previous.isoformat() if previous else None})
    db.session.commit()
