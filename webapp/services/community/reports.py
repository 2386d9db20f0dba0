"""Members reporting posts: one report per member and post, weighted by how long the reporter has held the token.

A report copies the post's text as it is when reported, so an edit cannot
hide what was reported. Each open report adds its weight to the post's
`report_weight` in one UPDATE; when that reaches REPORT_HIDE_THRESHOLD the
post hides itself until a moderator reviews it, and every open page of the
discussion sees the change live.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from flask import current_app
from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert

from webapp.extensions import db
from webapp.models import (
    AUTO_HIDDEN_REASON,
    HolderAccount,
    NotificationKind,
    Post,
    PostState,
    Report,
    ReportStatus,
    Role,
    TransactionEvent,
    User,
)
from webapp.services.community import notifications
from webapp.services.community.rights import NotAllowed, ensure_can_participate

log = logging.getLogger("momentum.moderation")

REPORT_REASONS: dict[str, str] = {
    "spam": "Spam or advertising",
    "abuse": "Abuse or harassment",
    "off-topic": "Off-topic",
    "scam": "Scam or phishing",
    "other": "Something else",
}
MAX_DETAILS = 500
# (days held, weight), longest first; staff reports weigh STAFF_WEIGHT
HOLDING_WEIGHTS: tuple[tuple[int, int], ...] = ((30, 3), (7, 2))
NEW_OR_NON_HOLDER_WEIGHT = 1
STAFF_WEIGHT = 5
REPORTABLE_STATES = (PostState.VISIBLE.value, PostState.HIDDEN.value)


class ReportRefused(Exception):
    """The report cannot be filed; `status` is the HTTP status that says why (403, 409, 422)."""

    def __init__(self, message: str, status: int = 422) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class FiledReport:
    report_id: int
    weight: int
    post_weight: int  # the post's open reports' weight after this one
    hid_post: bool  # this report crossed the threshold and hid the post


def weight_rules_text() -> str:
    """The weighting, as the report form's help text states it."""
    threshold = hide_threshold()
    return (f"A report weighs {NEW_OR_NON_HOLDER_WEIGHT} from members who do not hold this token or got it less "
            f"than 7 days ago, 2 after 7 days of holding, 3 after 30 days; moderators' and admins' reports weigh "
            f"{STAFF_WEIGHT}. A post whose open reports weigh {threshold} or more is hidden until a moderator "
            f"reviews it.")


def hide_threshold() -> int:
    return int(current_app.config.get("REPORT_HIDE_THRESHOLD", 5))


def holding_since(wallet: str, mint: str) -> datetime | None:
    """When `wallet` first got `mint` by the indexer's record, if it holds some now; None otherwise."""
    balance = db.session.scalar(select(func.coalesce(func.sum(HolderAccount.amount), 0)).where(
        HolderAccount.mint == mint, HolderAccount.owner == wallet))
    if not balance or int(balance) <= 0:
        return None
    acted = select(func.min(TransactionEvent.block_time)).where(
        TransactionEvent.mint == mint, TransactionEvent.wallet == wallet)
    received = select(func.min(TransactionEvent.block_time)).where(
        TransactionEvent.mint == mint, TransactionEvent.label == "transfer", TransactionEvent.counterparty == wallet)
    moments = [db.session.scalar(acted), db.session.scalar(received)]
    known = [moment for moment in moments if moment is not None]
    return min(known) if known else None


def report_weight(reporter: User, mint: str, now: datetime | None = None) -> int:
    """How much `reporter`'s report on a post of token `mint` weighs (see weight_rules_text)."""
    if reporter.has_role(Role.MODERATOR):
        return STAFF_WEIGHT
    since = holding_since(reporter.wallet, mint)
    if since is None:
        return NEW_OR_NON_HOLDER_WEIGHT
    held = (now or datetime.now(UTC)) - since
    for days, weight in HOLDING_WEIGHTS:
        if held >= timedelta(days=days):
            return weight
    return NEW_OR_NON_HOLDER_WEIGHT


def already_reported(reporter_id: int, post_id: int) -> bool:
    return db.session.scalar(select(Report.id).where(
        Report.post_id == post_id, Report.reporter_id == reporter_id)) is not None


def file_report(reporter: User | None, post: Post, reason: str, details: str = "",
                now: datetime | None = None) -> FiledReport:
    """Record `reporter`'s report of `post` and hide the post when its reports weigh enough; commits."""
    try:
        member = ensure_can_participate(reporter, now)
    except NotAllowed as refusal:
        signed_in = reporter is not None and getattr(reporter, "is_authenticated", False)
        raise ReportRefused(str(refusal), 403 if signed_in else 401) from refusal
    details = (details or "").strip()
    if reason not in REPORT_REASONS:
        raise ReportRefused("Choose why you report this post: " + ", ".join(REPORT_REASONS) + ".")
    if len(details) > MAX_DETAILS:
        raise ReportRefused(f"Details are limited to {MAX_DETAILS} characters (you wrote {len(details)}).")
    if post.author_id == member.id:
        raise ReportRefused("You cannot report your own post; edit or delete it instead.", 403)
    if post.state not in REPORTABLE_STATES:
        raise ReportRefused("This post has been deleted or removed; there is nothing left to report.")
    weight = report_weight(member, post.discussion.token.mint, now)
    # ON CONFLICT: a second report (another tab, a double click) waits for the first and writes nothing
    report_id = db.session.scalar(insert(Report).values(
        post_id=post.id, reporter_id=member.id, reason=reason, details=details, reported_body=post.body,
        weight=weight, status=ReportStatus.OPEN.value, created_at=now or datetime.now(UTC),
    ).on_conflict_do_nothing(constraint="one_report_per_member_and_post").returning(Report.id))
    if report_id is None:
        db.session.rollback()
        raise ReportRefused("You already reported this post; moderators will review it.", 409)
    post_weight = db.session.execute(update(Post).where(Post.id == post.id).values(
        report_weight=Post.report_weight + weight).returning(Post.report_weight)).scalar_one()
    hid = False
    if post_weight >= hide_threshold():
        hid = db.session.execute(update(Post).where(Post.id == post.id, Post.state == PostState.VISIBLE.value)
                                 .values(state=PostState.HIDDEN.value, state_reason=AUTO_HIDDEN_REASON)
                                 ).rowcount > 0  # type: ignore[attr-defined]
    if hid:
        noun = "discussion" if post.depth == 0 else "comment"
        notifications.notify(post.author_id, NotificationKind.MODERATION, f"moderation:post:{post.id}",
                             f"Your {noun} was hidden after members reported it, until a moderator reviews it.",
                             data={"post_id": post.id, "action": "auto_hide"})
    db.session.commit()
    if hid:
        db.session.refresh(post)
        push_post_state(post)
    return FiledReport(report_id, weight, post_weight, hid)


def push_post_state(post: Post) -> None:
    """Replace the post's text on every open page of its discussion (after the change is committed)."""
    from webapp.services.community import discussion_live

    discussion_live.post_changed(post.discussion, post)

