"""Reporting posts: who may, once per member and post, weighted by holding age; enough weight hides the post live."""
from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from solders.keypair import Keypair
from sqlalchemy import func, select

from webapp import live
from webapp.extensions import db
from webapp.live.topics import discussion_topic
from webapp.models import (
    Discussion,
    HolderAccount,
    IndexedTransaction,
    Notification,
    Post,
    PostState,
    Report,
    Token,
    TransactionEvent,
    User,
    path_segment,
)
from webapp.services.community import reports

MINT = "Mod1111111111111111111111111111111111111111"


# --- rows a discussion page would have written (the discussions module builds the pages) -----------------------

def member(app, role: str = "member", wallet: str | None = None, suspended_until: datetime | None = None,
           reason: str | None = None) -> int:
    with app.app_context():
        user = User(wallet=wallet or str(Keypair().pubkey()), role=role, suspended_until=suspended_until,
                    suspension_reason=reason)
        db.session.add(user)
        db.session.commit()
        return user.id


def wallet_of(app, user_id: int) -> str:
    with app.app_context():
        return db.session.get_one(User, user_id).wallet


def discussion(app, author_id: int, body: str = "Opening post", title: str = "Roadmap talk") -> tuple[int, int]:
    """A discussion on the test token with its opening post: (discussion id, opening post id)."""
    with app.app_context():
        token = db.session.scalar(select(Token).where(Token.mint == MINT))
        if token is None:
            token = Token(mint=MINT, name="Moderated", symbol="MOD", decimals=6, supply=10**15, supply_slot=0,
                          program="token", tier="wild_fires")
            db.session.add(token)
            db.session.flush()
        topic = Discussion(token_id=token.id, author_id=author_id, title=title, slug="roadmap-talk")
        db.session.add(topic)
        db.session.flush()
        opening = Post(discussion_id=topic.id, author_id=author_id, path="", depth=0, body=body,
                       body_html=f"<p>{body}</p>")
        db.session.add(opening)
        db.session.flush()
        opening.path = path_segment(opening.id)
        db.session.commit()
        return topic.id, opening.id


def comment(app, parent_id: int, author_id: int, body: str = "A comment") -> int:
    with app.app_context():
        parent = db.session.get_one(Post, parent_id)
        post = Post(discussion_id=parent.discussion_id, parent_id=parent.id, author_id=author_id, path="",
                    depth=parent.depth + 1, body=body, body_html=f"<p>{body}</p>")
        db.session.add(post)
        db.session.flush()
        post.path = f"{parent.path}.{path_segment(post.id)}"
        db.session.commit()
        return post.id


def holding(app, wallet: str, days: int, amount: int = 1_000, received: bool = False) -> None:
    """`wallet` holds `amount` of the test token, first bought (or `received` by transfer) `days` ago."""
    with app.app_context():
        db.session.add(HolderAccount(account=str(Keypair().pubkey()), mint=MINT, owner=wallet, amount=amount, slot=1))
        if days >= 0:
            moment = datetime.now(UTC) - timedelta(days=days)
            signature = str(Keypair().pubkey()) * 2
            tx = IndexedTransaction(signature=signature, slot=1, block_time=moment, mints=[MINT])
            db.session.add(tx)
            db.session.flush()
            db.session.add(TransactionEvent(transaction_id=tx.id, position=0, signature=signature, slot=1,
                                            block_time=moment, label="transfer" if received else "buy",
                                            wallet=str(Keypair().pubkey()) if received else wallet,
                                            counterparty=wallet if received else None, mint=MINT,
                                            token_amount=amount, sol_amount=0 if received else 1))
        db.session.commit()


def sign_in_as(app, auth, user_id: int) -> None:
    with app.app_context():
        wallet = db.session.get_one(User, user_id).wallet
    keypair = KEYPAIRS[wallet]
    auth.sign_in(keypair)


KEYPAIRS: dict[str, Keypair] = {}


def signed_member(app, auth, role: str = "member", **kwargs) -> int:
    """A member (with a keypair to sign in with) who is now signed in on `auth`'s client."""
    keypair = Keypair()
    KEYPAIRS[str(keypair.pubkey())] = keypair
    user_id = member(app, role, wallet=str(keypair.pubkey()), **kwargs)
    auth.sign_in(keypair)
    return user_id


def post_report(client, auth, post_id: int, reason: str = "spam", details: str = "", htmx: bool = False):
    headers = {"X-CSRFToken": auth.csrf_token()}
    if htmx:
        headers["HX-Request"] = "true"
    return client.post(f"/posts/{post_id}/report", data={"reason": reason, "details": details}, headers=headers)


def report_rows(app, post_id: int) -> list[Report]:
    with app.app_context():
        rows = list(db.session.scalars(select(Report).where(Report.post_id == post_id).order_by(Report.id)))
        db.session.expunge_all()
        return rows


def post_row(app, post_id: int) -> Post:
    with app.app_context():
        post = db.session.get_one(Post, post_id)
        db.session.expunge(post)
        return post


# --- tests -----------------------------------------------------------------------------------------------------

def test_a_report_copies_the_text_as_it_was_and_thanks_the_member(app, client, auth) -> None:
    author = member(app)
    _, opening = discussion(app, author, body="Buy my other coin at scam.example")
    reporter = signed_member(app, auth)
    reply = post_report(client, auth, opening, "scam", "Links to a phishing site")
    assert reply.status_code == 302
    with app.app_context():
        db.session.get_one(Post, opening).body = "edited to look innocent"
        db.session.commit()
    [row] = report_rows(app, opening)
    assert (row.reporter_id, row.reason, row.details, row.status) == (reporter, "scam", "Links to a phishing site",
                                                                       "open")
    assert row.reported_body == "Buy my other coin at scam.example"
    assert post_row(app, opening).report_weight == row.weight == 1
    page = client.get(reply.headers["Location"]).get_data(as_text=True)
    assert "Thanks: your report is with the moderators." in page and "You reported this post" in page

    fragment = post_report(client, auth, comment(app, opening, author), htmx=True)
    assert fragment.status_code == 200 and "Reported. Thanks" in fragment.get_data(as_text=True)


@pytest.mark.parametrize(("case", "status", "message"), [
    ("own post", 403, "cannot report your own post"),
    ("twice", 409, "already reported this post"),
    ("unknown reason", 422, "Not a valid choice"),
    ("long details", 422, "limited to 500 characters"),
    ("deleted post", 422, "nothing left to report"),
    ("no such post", 404, "No such post"),
])
def test_refused_reports_say_why_and_write_nothing(app, client, auth, case, status, message) -> None:
    author = member(app)
    _, opening = discussion(app, author)
    reporter = signed_member(app, auth)
    target, reason, details = opening, "spam", ""
    if case == "own post":
        target = comment(app, opening, reporter)
    elif case == "twice":
        assert post_report(client, auth, opening).status_code == 302
    elif case == "unknown reason":
        reason = "boring"
    elif case == "long details":
        details = "x" * 501
    elif case == "deleted post":
        with app.app_context():
            db.session.get_one(Post, opening).state = PostState.DELETED.value
            db.session.commit()
    elif case == "no such post":
        target = 999_999
    reply = post_report(client, auth, target, reason, details)
    assert reply.status_code == status
    assert message in reply.get_data(as_text=True)
    with app.app_context():
        expected = 1 if case == "twice" else 0
        assert db.session.scalar(select(func.count()).select_from(Report)) == expected
        assert db.session.scalar(select(func.sum(Post.report_weight))) == expected


def test_signed_out_visitors_cannot_report(app, client) -> None:
    _, opening = discussion(app, member(app))
    reply = client.post(f"/posts/{opening}/report", data={"reason": "spam"})
    assert reply.status_code == 401
    assert report_rows(app, opening) == []


def test_two_simultaneous_reports_by_one_member_leave_one_row(app) -> None:
    _, opening = discussion(app, member(app))
    reporter = member(app)
    barrier = threading.Barrier(4)
    outcomes: list[object] = []

    def report() -> None:
        with app.test_request_context():
            user = db.session.get_one(User, reporter)
            post = db.session.get_one(Post, opening)
            barrier.wait()
            try:
                outcomes.append(reports.file_report(user, post, "spam"))
            except reports.ReportRefused as refusal:
                outcomes.append(refusal.status)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=report) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)
    assert sorted(o for o in outcomes if isinstance(o, int)) == [409, 409, 409]
    assert len([o for o in outcomes if isinstance(o, reports.FiledReport)]) == 1
    assert len(report_rows(app, opening)) == 1
    assert post_row(app, opening).report_weight == 1  # counted once


def test_a_suspended_member_sees_why_and_until_when_and_cannot_report(app, client, auth) -> None:
    _, opening = discussion(app, member(app))
    until = datetime(2031, 3, 4, 12, 30, tzinfo=UTC)
    signed_member(app, auth, suspended_until=until, reason="Repeated spam")
    page = client.get("/").get_data(as_text=True)
    assert 'data-testid="suspension-banner"' in page
    assert "suspended until 04 Mar 2031, 12:30 UTC" in page and "Repeated spam" in page
    reply = post_report(client, auth, opening)
    assert reply.status_code == 403
    assert "suspended until 2031-03-04 12:30 UTC" in reply.get_data(as_text=True)
    assert report_rows(app, opening) == []


def test_members_in_good_standing_see_no_banner(app, client, auth) -> None:
    signed_member(app, auth, suspended_until=datetime.now(UTC) - timedelta(minutes=1), reason="over")
    assert 'data-testid="suspension-banner"' not in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize(("role", "held_days", "amount", "received", "weight"), [
    ("member", None, 0, False, 1),  # holds nothing
    ("member", 2, 1_000, False, 1),  # a new holder
    ("member", 8, 1_000, False, 2),
    ("member", 10, 1_000, True, 2),  # got it by a transfer
    ("member", 45, 1_000, False, 3),
    ("member", 45, 0, False, 1),  # held long ago, sold everything
    ("member", -1, 1_000, False, 1),  # holds, but the indexer has no record of when it got them
    ("moderator", None, 0, False, 5),
    ("admin", 45, 1_000, False, 5),
])
def test_a_report_weighs_by_how_long_the_reporter_has_held_the_token(app, role, held_days, amount, received,
                                                                     weight) -> None:
    _, opening = discussion(app, member(app))
    reporter = member(app, role)
    if held_days is not None:
        holding(app, wallet_of(app, reporter), held_days, amount, received)
    with app.test_request_context():
        filed = reports.file_report(db.session.get_one(User, reporter), db.session.get_one(Post, opening), "abuse")
    assert filed.weight == weight
    assert report_rows(app, opening)[0].weight == weight
    assert post_row(app, opening).report_weight == weight


def test_the_weighting_is_stated_on_the_report_page(app, client, auth) -> None:
    _, opening = discussion(app, member(app))
    signed_member(app, auth)
    page = client.get(f"/posts/{opening}/report").get_data(as_text=True)
    assert "2 after 7 days of holding, 3 after 30 days" in page and "weigh 5 or more is hidden" in page


def test_enough_weighted_reports_hide_the_post_live_until_reviewed(app, client, auth, monkeypatch) -> None:
    monkeypatch.setitem(app.config, "REPORT_HIDE_THRESHOLD", 5)
    topic, opening = discussion(app, member(app))
    target = comment(app, opening, member(app), body="rude words")
    long_holder = member(app)
    holding(app, wallet_of(app, long_holder), 40)  # weighs 3
    with app.app_context():
        start = live.latest_cursor(discussion_topic(topic)) or "0-0"
    with app.test_request_context():
        first = reports.file_report(db.session.get_one(User, long_holder), db.session.get_one(Post, target), "abuse")
        second = reports.file_report(db.session.get_one(User, member(app)), db.session.get_one(Post, target), "abuse")
    assert (first.post_weight, first.hid_post, second.post_weight, second.hid_post) == (3, False, 4, False)
    assert post_row(app, target).state == "visible"
    with app.app_context():
        assert live.missed(discussion_topic(topic), start) == []
    signed_member(app, auth)
    assert post_report(client, auth, target, "abuse").status_code == 302  # weighs 1: 5 in all
    hidden = post_row(app, target)
    assert (hidden.state, hidden.state_reason, hidden.report_weight) == ("hidden", reports.AUTO_HIDDEN_REASON, 5)
    with app.app_context():
        [entry] = live.missed(discussion_topic(topic), start)
    html = entry.html
    assert f'id="post-content-{target}"' in html and 'hx-swap-oob="outerHTML"' in html
    assert "hidden after reports, awaiting review" in html and "rude words" not in html
    with app.app_context():
        told = db.session.scalars(select(Notification.text).where(Notification.user_id == hidden.author_id)).all()
    assert told == ["Your comment was hidden after members reported it, until a moderator reviews it."]
    # a hidden post can still take reports (they add weight) without pushing again
    signed_member(app, auth)
    assert post_report(client, auth, target, "spam").status_code == 302
    assert post_row(app, target).report_weight == 6


def test_reporting_is_rate_limited(app, client, auth, monkeypatch) -> None:
    monkeypatch.setitem(app.config, "RATELIMIT_REPORTS", "2 per minute")
    _, opening = discussion(app, member(app))
    author = member(app)
    targets = [comment(app, opening, author) for _ in range(3)]
    signed_member(app, auth)
    assert [post_report(client, auth, target).status_code for target in targets] == [302, 302, 429]
    assert len(report_rows(app, targets[2])) == 0


def test_the_report_control_shows_for_other_members_posts_only(app, client, auth) -> None:
    from flask import render_template_string
    from flask_login import login_user

    author = member(app)
    _, opening = discussion(app, author)
    viewer = member(app)
    template = '{% include "moderation/_report_control.html" %}'
    with app.test_request_context("/tokens/x/discussions/1"):
        post = db.session.get_one(Post, opening)
        assert render_template_string(template, post=post).strip() == ""  # signed out
        login_user(db.session.get_one(User, viewer))
        html = render_template_string(template, post=post)
        assert f'action="/posts/{opening}/report"' in html and "<summary>Report</summary>" in html
        assert 'name="next" value="/tokens/x/discussions/1"' in html
        login_user(db.session.get_one(User, author))
        assert render_template_string(template, post=post).strip() == ""  # not on one's own post
        post.state = PostState.HIDDEN.value
        login_user(db.session.get_one(User, viewer))
        assert render_template_string(template, post=post).strip() == ""
