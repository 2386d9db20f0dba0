"""The read model of /admin/moderation: reported posts, their reports grouped per post, newest report first."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select, tuple_
from sqlalchemy.orm import selectinload

from webapp.extensions import db
from webapp.models import Discussion, Post, Report, ReportStatus, User
from webapp.services.community.moderation import post_context_url
from webapp.services.community.reports import REPORT_REASONS

PAGE_SIZE = 20
REPORTS_SHOWN = 8  # per post; the count says how many there are in all
FILTERS = ("open", "all")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class QueueItem:
    post: Post
    discussion: Discussion
    author: User
    reports: list[Report]  # newest first, at most REPORTS_SHOWN
    report_count: int
    open_count: int
    open_weight: int
    last_reported_at: datetime
    reasons: list[tuple[str, int]]  # (label, how many), most frequent first
    reported_body: str  # the post's text as the newest report copied it
    context_url: str


@dataclass(frozen=True)
class QueuePage:
    status: str
    items: list[QueueItem]
    next_cursor: str | None
    open_posts: int
    reasons: dict[str, str] = field(default_factory=lambda: dict(REPORT_REASONS))


def parse_cursor(cursor: str | None) -> tuple[datetime, int] | None:
    """`<microseconds since the epoch>.<post id>` of the last row shown; None for the first page or nonsense."""
    if not cursor:
        return None
    moment, _, post_id = cursor.partition(".")
    if not (moment.isdigit() and post_id.isdigit()) or len(moment) > 18 or len(post_id) > 18:
        raise ValueError("That page link is not valid; start from the first page.")
    return _EPOCH + timedelta(microseconds=int(moment)), int(post_id)


def _cursor(moment: datetime, post_id: int) -> str:
    delta = moment - _EPOCH
    return f"{(delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds}.{post_id}"


def open_post_count() -> int:
    """Posts with at least one open report (the admin nav's badge)."""
    return db.session.scalar(select(func.count(func.distinct(Report.post_id)))
                             .where(Report.status == ReportStatus.OPEN.value)) or 0


def build(status: str = "open", cursor: str | None = None, page_size: int = PAGE_SIZE) -> QueuePage:
    """One page of the queue: `status` "open" (posts with open reports) or "all" (every reported post)."""
    if status not in FILTERS:
        raise ValueError(f"Show open or all reports, not {status!r}.")
    after = parse_cursor(cursor)
    reports = select(Report.post_id).group_by(Report.post_id)
    if status == "open":
        reports = reports.where(Report.status == ReportStatus.OPEN.value)
    last = func.max(Report.created_at)
    groups = reports.add_columns(last.label("last"))
    if after is not None:
        groups = groups.having(tuple_(last, Report.post_id) < tuple_(after[0], after[1]))
    rows = db.session.execute(groups.order_by(last.desc(), Report.post_id.desc()).limit(page_size + 1)).all()
    more = len(rows) > page_size
    rows = rows[:page_size]
    items = _items([(post_id, moment) for post_id, moment in rows])
    next_cursor = _cursor(rows[-1][1], rows[-1][0]) if more and rows else None
    return QueuePage(status, items, next_cursor, open_post_count())


def _items(rows: list[tuple[int, datetime]]) -> list[QueueItem]:
    post_ids = [post_id for post_id, _ in rows]
    if not post_ids:
        return []
    posts = {post.id: post for post in db.session.scalars(
        select(Post).where(Post.id.in_(post_ids)).options(selectinload(Post.discussion)))}
    all_reports: dict[int, list[Report]] = {post_id: [] for post_id in post_ids}
    for report in db.session.scalars(select(Report).where(Report.post_id.in_(post_ids))
                                     .order_by(Report.created_at.desc(), Report.id.desc())):
        all_reports[report.post_id].append(report)
    items = []
    for post_id, last in rows:
        post, reports = posts[post_id], all_reports[post_id]
        still_open = [report for report in reports if report.status == ReportStatus.OPEN.value]
        counted = Counter(REPORT_REASONS.get(report.reason, report.reason) for report in (still_open or reports))
        items.append(QueueItem(
            post=post, discussion=post.discussion, author=post.author, reports=reports[:REPORTS_SHOWN],
            report_count=len(reports), open_count=len(still_open),
            open_weight=sum(report.weight for report in still_open), last_reported_at=last,
            reasons=counted.most_common(), reported_body=reports[0].reported_body if reports else post.body,
            context_url=post_context_url(post),
        ))
    return items
