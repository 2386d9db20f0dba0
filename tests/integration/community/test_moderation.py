"""/admin/moderation: who may see and act, what each action does, audits and tells, bulk actions, suspensions."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from tests.integration.community.test_reports import (
    comment,
    discussion,
    member,
    post_row,
    report_rows,
    signed_member,
)
from webapp import live
from webapp.extensions import db
from webapp.live.topics import discussion_topic
from webapp.models import AuditEntry, Notification, Post, User
from webapp.services.community import moderation_queue, reports

ROLES = ["signed out", "member", "moderator", "admin"]
EXPECTED = {"signed out": 401, "member": 403}


def _as(app, auth, role: str) -> int | None:
    return None if role == "signed out" else signed_member(app, auth, role)


def _reported_comment(app, body: str = "Spam spam spam", reporters: int = 2, author_role: str = "member") -> int:
    """A comment by a member of `author_role`, reported by `reporters` members."""
    _, opening = discussion(app, member(app))
    post_id = comment(app, opening, member(app, author_role), body=body)
    with app.test_request_context():
        for index in range(reporters):
            reports.file_report(db.session.get_one(User, member(app)), db.session.get_one(Post, post_id),
                                "spam" if index % 2 == 0 else "scam", f"detail {index}")
    return post_id


def _csrf(client) -> dict[str, str]:
    from tests.conftest import csrf_token_from

    return {"X-CSRFToken": csrf_token_from(client.get("/").get_data(as_text=True))}


def _act(client, post_ids: list[int], action: str, reason: str = "Breaks the rules"):
    return client.post("/admin/moderation/posts", data={"action": action, "reason": reason, "post_id": post_ids},
                       headers=_csrf(client))


def _audit(app, action: str) -> list[AuditEntry]:
    with app.app_context():
        rows = list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)))
        db.session.expunge_all()
        return rows


def _notifications(app, user_id: int) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(Notification.text).where(
            Notification.user_id == user_id, Notification.kind == "moderation").order_by(Notification.id)))


def _author(app, post_id: int) -> int:
    return post_row(app, post_id).author_id


@pytest.mark.parametrize("role", ROLES)
def test_the_queue_is_for_moderators_and_admins(app, client, auth, role) -> None:
    post_id = _reported_comment(app, body="Visit my channel now")
    _as(app, auth, role)
    reply = client.get("/admin/moderation")
    assert reply.status_code == EXPECTED.get(role, 200)
    if role in ("moderator", "admin"):
        page = reply.get_data(as_text=True)
        assert f'id="queue-post-{post_id}"' in page and "Visit my channel now" in page
        assert "Spam or advertising \u00d7 1" in page and "Scam or phishing \u00d7 1" in page
        assert "detail 0" in page and "detail 1" in page
        assert "/discussions/" in page and f"#post-{post_id}" in page  # a link to the post in its thread
        assert ('href="/admin/audit"' in page) == (role == "admin")  # the admin nav, for admins


ACTIONS = [
    ("post", "hide"), ("post", "restore"), ("post", "remove"), ("post", "dismiss"),
    ("member", "warn"), ("member", "suspend"), ("member", "lift"),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("kind", "action"), ACTIONS)
def test_every_action_is_for_moderators_and_admins(app, client, auth, role, kind, action) -> None:
    post_id = _reported_comment(app)
    author = _author(app, post_id)
    with app.app_context():
        db.session.get_one(User, author).suspended_until = datetime.now(UTC) + timedelta(days=1)
        db.session.commit()
    _as(app, auth, role)
    headers = _csrf(client) if role != "signed out" else {}
    if kind == "post":
        reply = client.post("/admin/moderation/posts", headers=headers,
                            data={"action": action, "reason": "rules", "post_id": post_id})
    else:
        reply = client.post(f"/admin/moderation/members/{author}/{action}", headers=headers,
                            data={"reason": "rules", "period": "7d"})
    assert reply.status_code == EXPECTED.get(role, 302), reply.get_data(as_text=True)
    with app.app_context():
        audited = db.session.scalar(select(func.count()).select_from(AuditEntry))
    assert audited == (0 if role in EXPECTED else 1)


@pytest.mark.parametrize(("action", "state", "report_status", "told"), [
    ("hide", "hidden", "upheld", "A moderator hid your comment: Breaks the rules"),
    ("remove", "removed", "upheld", "A moderator removed your comment: Breaks the rules"),
    ("restore", "visible", "dismissed", None),  # it was visible: nothing changed for the author
    ("dismiss", "visible", "dismissed", None),
])
def test_a_post_action_resolves_reports_audits_and_tells_the_author(app, client, auth, action, state, report_status,
                                                                      told) -> None:
    post_id = _reported_comment(app, reporters=2)
    moderator = signed_member(app, auth, "moderator")
    reply = _act(client, [post_id], action)
    assert reply.status_code == 302 and reply.headers["Location"].startswith("/admin/moderation")
    post = post_row(app, post_id)
    assert (post.state, post.report_weight) == (state, 0)
    assert [(r.status, r.resolved_by_id) for r in report_rows(app, post_id)] == [(report_status, moderator)] * 2
    [entry] = _audit(app, f"post.{action}")
    assert (entry.actor_id, entry.target_type, entry.target_id) == (moderator, "post", str(post_id))
    assert entry.details["reason"] == "Breaks the rules"
    assert entry.details["state"] == {"from": "visible", "to": state}
    assert entry.details["reports"] == {report_status: 2}
    assert _notifications(app, post.author_id) == ([told] if told else [])
    for report in report_rows(app, post_id):  # reporters hear back when their report was upheld
        expected = [f"Thanks for your report: a moderator {'hid' if action == 'hide' else 'removed'} the comment."]
        assert _notifications(app, report.reporter_id) == (expected if report_status == "upheld" else [])


def test_restoring_a_hidden_post_tells_its_author_and_pushes_it_back(app, client, auth) -> None:
    post_id = _reported_comment(app, body="Fine after all")
    signed_member(app, auth, "admin")
    assert _act(client, [post_id], "hide").status_code == 302
    topic = post_row(app, post_id).discussion_id
    with app.app_context():
        start = live.latest_cursor(discussion_topic(topic)) or "0-0"
    assert _act(client, [post_id], "restore", reason="").status_code == 302
    assert post_row(app, post_id).state == "visible"
    assert _notifications(app, _author(app, post_id))[-1] == "A moderator restored your comment."
    with app.app_context():
        [entry] = live.missed(discussion_topic(topic), start)
    assert f'id="post-content-{post_id}"' in entry.html and "<p>Fine after all</p>" in entry.html


@pytest.mark.parametrize("action", ["restore", "hide"])
def test_a_removed_post_stays_removed(app, client, auth, action) -> None:
    post_id = _reported_comment(app)
    signed_member(app, auth, "moderator")
    assert _act(client, [post_id], "remove").status_code == 302
    reply = _act(client, [post_id], action)
    assert reply.status_code == 409 and "removed for good" in reply.get_data(as_text=True)
    assert post_row(app, post_id).state == "removed" and _audit(app, f"post.{action}") == []


def test_dismissing_reports_that_hid_a_post_shows_it_again(app, client, auth, monkeypatch) -> None:
    monkeypatch.setitem(app.config, "REPORT_HIDE_THRESHOLD", 2)
    post_id = _reported_comment(app, reporters=2)
    assert post_row(app, post_id).state == "hidden"
    signed_member(app, auth, "moderator")
    assert _act(client, [post_id], "dismiss", reason="").status_code == 302
    assert (post_row(app, post_id).state, post_row(app, post_id).state_reason) == ("visible", None)


@pytest.mark.parametrize("action", ["hide", "remove"])
def test_hiding_or_removing_needs_a_reason(app, client, auth, action) -> None:
    post_id = _reported_comment(app)
    signed_member(app, auth, "moderator")
    reply = _act(client, [post_id], action, reason="  ")
    assert reply.status_code == 422 and "Give a reason" in reply.get_data(as_text=True)
    assert post_row(app, post_id).state == "visible" and _audit(app, f"post.{action}") == []


def test_bulk_actions_apply_to_every_ticked_post_or_to_none(app, client, auth) -> None:
    posts = [_reported_comment(app, body=f"spam {n}", reporters=1) for n in range(3)]
    staff_post = _reported_comment(app, author_role="moderator", reporters=1)
    signed_member(app, auth, "moderator")
    refused = _act(client, [*posts, staff_post], "hide")
    assert refused.status_code == 403 and "only a higher role can act on them" in refused.get_data(as_text=True)
    assert [post_row(app, p).state for p in posts] == ["visible"] * 3 and _audit(app, "post.hide") == []
    done = _act(client, posts, "hide")
    assert done.status_code == 302
    assert "Hid 3 posts." in client.get(done.headers["Location"]).get_data(as_text=True)
    assert [post_row(app, p).state for p in posts] == ["hidden"] * 3
    assert sorted(int(e.target_id or 0) for e in _audit(app, "post.hide")) == posts
    assert all(_notifications(app, _author(app, p)) == ["A moderator hid your comment: Breaks the rules"]
               for p in posts)
    reply = client.get("/admin/moderation")
    assert "No open reports" not in reply.get_data(as_text=True)  # the staff post still waits
    empty = _act(client, [], "hide")
    assert empty.status_code == 422 and "Tick at least one post" in empty.get_data(as_text=True)


def test_moderators_cannot_moderate_themselves(app, client, auth) -> None:
    moderator = signed_member(app, auth, "moderator")
    _, opening = discussion(app, member(app))
    own = comment(app, opening, moderator)
    with app.test_request_context():
        reports.file_report(db.session.get_one(User, member(app)), db.session.get_one(Post, own), "spam")
    reply = _act(client, [own], "hide")
    assert reply.status_code == 403 and "cannot moderate yourself" in reply.get_data(as_text=True)
    reply = client.post(f"/admin/moderation/members/{moderator}/warn", data={"reason": "x"}, headers=_csrf(client))
    assert reply.status_code == 403 and post_row(app, own).state == "visible"


@pytest.mark.parametrize(("actor", "target", "status"), [
    ("moderator", "member", 302),
    ("moderator", "moderator", 403),
    ("moderator", "admin", 403),
    ("admin", "moderator", 302),
    ("admin", "admin", 403),
])
def test_who_may_suspend_whom(app, client, auth, actor, target, status) -> None:
    target_id = member(app, target)
    signed_member(app, auth, actor)
    reply = client.post(f"/admin/moderation/members/{target_id}/suspend",
                        data={"period": "7d", "reason": "Spamming links"}, headers=_csrf(client))
    assert reply.status_code == status
    with app.app_context():
        suspended = db.session.get_one(User, target_id).suspended_until
    assert (suspended is not None) == (status == 302)
    assert len(_audit(app, "user.suspend")) == (1 if status == 302 else 0)


@pytest.mark.parametrize(("period", "until", "days"), [("1d", "", 1), ("7d", "", 7), ("30d", "", 30)])
def test_suspension_periods(app, client, auth, period, until, days) -> None:
    target = member(app)
    moderator = signed_member(app, auth, "moderator")
    before = datetime.now(UTC)
    reply = client.post(f"/admin/moderation/members/{target}/suspend",
                        data={"period": period, "until": until, "reason": "Spamming links"}, headers=_csrf(client))
    assert reply.status_code == 302
    with app.app_context():
        user = db.session.get_one(User, target)
        assert user.suspended_until is not None
        assert before + timedelta(days=days) <= user.suspended_until <= datetime.now(UTC) + timedelta(days=days)
        assert user.suspension_reason == "Spamming links"
    [entry] = _audit(app, "user.suspend")
    assert entry.actor_id == moderator and entry.details["reason"] == "Spamming links"
    assert _notifications(app, target)[0].startswith("A moderator suspended you until ")


def test_a_custom_suspension_runs_through_the_day_chosen_and_can_be_lifted(app, client, auth) -> None:
    target = signed_member(app, auth)  # signed in first, to see the banner later
    from tests.integration.community.test_reports import KEYPAIRS, wallet_of

    target_keys = KEYPAIRS[wallet_of(app, target)]
    last_day = (datetime.now(UTC) + timedelta(days=3)).date()
    client.post("/auth/logout", headers=_csrf(client))
    signed_member(app, auth, "admin")
    for bad, message in [("", "as a date"), ("2001-01-01", "in the future"), ("tomorrow", "as a date")]:
        reply = client.post(f"/admin/moderation/members/{target}/suspend",
                            data={"period": "custom", "until": bad, "reason": "x"}, headers=_csrf(client))
        assert reply.status_code == 422 and message in reply.get_data(as_text=True)
    reply = client.post(f"/admin/moderation/members/{target}/suspend",
                        data={"period": "custom", "until": last_day.isoformat(), "reason": "Cooling off"},
                        headers=_csrf(client))
    assert reply.status_code == 302
    with app.app_context():
        end = db.session.get_one(User, target).suspended_until
    assert end == datetime(last_day.year, last_day.month, last_day.day, tzinfo=UTC) + timedelta(days=1)
    client.post("/auth/logout", headers=_csrf(client))
    auth.sign_in(target_keys)
    page = client.get("/").get_data(as_text=True)
    assert f"suspended until {end:%d %b %Y}, 00:00 UTC" in page and "Cooling off" in page
    client.post("/auth/logout", headers=_csrf(client))
    signed_member(app, auth, "moderator")
    reply = client.post(f"/admin/moderation/members/{target}/lift", data={"reason": "Appeal accepted"},
                        headers=_csrf(client))
    assert reply.status_code == 302
    [entry] = _audit(app, "user.unsuspend")
    assert entry.details["reason"] == "Appeal accepted"
    assert _notifications(app, target)[-1] == "A moderator lifted your suspension: Appeal accepted"
    again = client.post(f"/admin/moderation/members/{target}/lift", data={}, headers=_csrf(client))
    assert again.status_code == 409


def test_a_warning_needs_a_reason_and_tells_the_member(app, client, auth) -> None:
    target = member(app)
    moderator = signed_member(app, auth, "moderator")
    empty = client.post(f"/admin/moderation/members/{target}/warn", data={"reason": ""}, headers=_csrf(client))
    assert empty.status_code == 422 and _notifications(app, target) == []
    reply = client.post(f"/admin/moderation/members/{target}/warn", data={"reason": "Keep it civil"},
                        headers=_csrf(client))
    assert reply.status_code == 302
    assert _notifications(app, target) == ["A moderator warned you: Keep it civil"]
    [entry] = _audit(app, "user.warn")
    assert (entry.actor_id, entry.target_id, entry.details["reason"]) == (moderator, str(target), "Keep it civil")


def test_the_queue_groups_reports_per_post_and_pages_by_keyset(app, client, auth) -> None:
    posts = [_reported_comment(app, body=f"post {n}", reporters=n + 1) for n in range(5)]
    with app.test_request_context():
        first = moderation_queue.build("open", page_size=2)
        assert [item.post.id for item in first.items] == [posts[4], posts[3]]  # newest report first
        assert [(item.open_count, item.open_weight) for item in first.items] == [(5, 5), (4, 4)]
        second = moderation_queue.build("open", first.next_cursor, page_size=2)
        third = moderation_queue.build("open", second.next_cursor, page_size=2)
        assert [item.post.id for item in second.items + third.items] == [posts[2], posts[1], posts[0]]
        assert third.next_cursor is None and first.open_posts == 5
    signed_member(app, auth, "admin")
    assert _act(client, [posts[4]], "hide").status_code == 302
    open_page = client.get("/admin/moderation").get_data(as_text=True)
    assert f'id="queue-post-{posts[4]}"' not in open_page and 'data-testid="open-reports">4<' in open_page
    everything = client.get("/admin/moderation?status=all").get_data(as_text=True)
    assert f'id="queue-post-{posts[4]}"' in everything and "upheld" in everything
    assert client.get("/admin/moderation?after=nonsense").status_code == 400
    assert client.get("/admin/moderation?status=closed").status_code == 400
    fragment = client.get("/admin/moderation?status=all", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert fragment.lstrip().startswith('<section id="moderation-queue"')


def test_the_admin_nav_counts_posts_waiting_for_review(app, client, auth) -> None:
    _reported_comment(app, reporters=3)
    _reported_comment(app, reporters=1)
    signed_member(app, auth, "admin")
    page = client.get("/admin/users").get_data(as_text=True)
    assert 'href="/admin/moderation"' in page and 'data-testid="open-reports">2<' in page


def test_a_moderator_finds_the_queue_from_the_main_nav(app, auth) -> None:
    from webapp.extensions import db
    from webapp.models import User

    keypair = auth.sign_in()
    with app.app_context():
        user = db.session.scalar(db.select(User).where(User.wallet == str(keypair.pubkey())))
        user.role = "moderator"
        db.session.commit()
    page = auth.client.get("/tokens/").get_data(as_text=True)
    assert 'href="/admin/moderation"' in page and ">Moderation</a>" in page
