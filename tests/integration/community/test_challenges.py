"""Challenges: who may create and review, the form's rules, the entry window, one entry per member, reviews."""
from __future__ import annotations

import re
import threading
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from solders.keypair import Keypair
from sqlalchemy import func, select

from tests.conftest import csrf_token_from, get_row
from webapp.extensions import db
from webapp.models import AuditEntry, Challenge, ChallengeEntry, LaunchApplication, Notification, Token, User
from webapp.services.community import challenges
from webapp.services.community.challenges import ChallengeRefused, InvalidChallenge

MINT = "ChaLLengeMint1111111111111111111111111111111"
ROLES = ("signed_out", "member", "team", "moderator", "admin")
FORMAT = challenges.DATE_FORMAT


@pytest.fixture()
def token(app) -> dict[str, object]:
    """A tracked token (6 decimals) launched here: its applicant and a team wallet's holder are its team."""
    applicant, team_wallet = Keypair(), Keypair()
    with app.app_context():
        applicant_user = User(wallet=str(applicant.pubkey()))
        wallet_user = User(wallet=str(team_wallet.pubkey()))
        db.session.add_all([applicant_user, wallet_user])
        db.session.add(Token(mint=MINT, name="Challenge Cats", symbol="CCAT", decimals=6, supply=10**15,
                             supply_slot=0, program="token", tier="wild_fires"))
        db.session.flush()
        db.session.add(LaunchApplication(applicant_id=applicant_user.id, name="Challenge Cats", symbol="CCAT",
                                         tier="wild_fires", status="launched", mint=MINT,
                                         team_wallets=[[str(team_wallet.pubkey()), 100]]))
        db.session.commit()
    return {"applicant": applicant, "team_wallet": team_wallet}


def _sign_in_as(role: str, auth, make_user, token) -> Keypair | None:
    if role == "signed_out":
        return None
    if role == "team":
        return auth.sign_in(token["team_wallet"])
    return auth.sign_in(make_user(role))


def _challenge(app, starts: timedelta = timedelta(hours=-1), ends: timedelta = timedelta(days=2),
               points: int = 500, units: int = 1_000_500_000, title: str = "Meme week") -> int:
    """A challenge relative to now (running by default) with 500 points and 1,000.5 CCAT."""
    now = datetime.now(UTC)
    with app.app_context():
        token = db.session.scalars(select(Token).where(Token.mint == MINT)).one()
        creator = db.session.scalars(select(User).order_by(User.id).limit(1)).one()
        challenge = Challenge(token_id=token.id, created_by_id=creator.id, title=title, description="Make memes",
                              description_html="<p>Make memes</p>", starts_at=now + starts, ends_at=now + ends,
                              reward_points=points, reward_token_amount=units)
        db.session.add(challenge)
        db.session.commit()
        return challenge.id


def _entry(app, challenge_id: int, wallet: str | None = None, text: str = "My meme") -> tuple[int, int]:
    """An entry by a new member (or the member of `wallet`); returns (entry id, entrant id)."""
    with app.app_context():
        user = db.session.scalar(select(User).where(User.wallet == wallet)) if wallet else None
        if user is None:
            user = User(wallet=wallet or str(Keypair().pubkey()))
            db.session.add(user)
            db.session.flush()
        entry = ChallengeEntry(challenge_id=challenge_id, user_id=user.id, text=text)
        db.session.add(entry)
        db.session.commit()
        return entry.id, user.id


def _form(**overrides: str) -> dict[str, str]:
    now = datetime.now(UTC)
    form = {"title": "Best meme of the week", "description": "Post your **best** meme.",
            "starts_at": now.strftime(FORMAT), "ends_at": (now + timedelta(days=7)).strftime(FORMAT),
            "reward_points": "500", "reward_tokens": "1,000.5"}
    return form | overrides


def _post(client, url: str, data: dict[str, str], headers: dict[str, str] | None = None):
    token = csrf_token_from(client.get("/").get_data(as_text=True)) if _signed_in(client) else ""
    return client.post(url, data={**data, "csrf_token": token}, headers=headers or {})


def _signed_in(client) -> bool:
    return 'name="csrf-token"' in client.get("/").get_data(as_text=True)


# --- creating ------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("role", "status"), [("signed_out", 401), ("member", 403), ("team", 303),
                                              ("moderator", 403), ("admin", 303)])
def test_only_the_team_and_admins_create_challenges(app, client, auth, make_user, token, role, status) -> None:
    _sign_in_as(role, auth, make_user, token)
    reply = _post(client, f"/tokens/{MINT}/challenges/new", _form())
    assert reply.status_code == status, reply.get_data(as_text=True)
    with app.app_context():
        created = db.session.scalars(select(Challenge)).all()
        audits = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "challenge.create")).all()
        if status == 303:
            assert len(created) == 1 and len(audits) == 1
            assert created[0].reward_points == 500 and created[0].reward_token_amount == 1_000_500_000
            assert created[0].description_html == "<p>Post your <strong>best</strong> meme.</p>\n"
            assert audits[0].target_id == str(created[0].id)
            assert reply.headers["Location"].endswith(f"/tokens/{MINT}/challenges/{created[0].id}")
        else:
            assert created == [] and audits == []
            if role != "signed_out":
                assert "Only the CCAT team or an admin can create challenges" in reply.get_data(as_text=True)
    form_page = client.get(f"/tokens/{MINT}/challenges/new")
    assert form_page.status_code == (200 if status == 303 else status)


def test_the_applicant_is_team_too_and_sees_the_new_challenge_button(client, auth, token) -> None:
    listing = client.get(f"/tokens/{MINT}/challenges").get_data(as_text=True)
    assert "New challenge" not in listing
    auth.sign_in(token["applicant"])
    assert "New challenge" in client.get(f"/tokens/{MINT}/challenges").get_data(as_text=True)
    assert _post(client, f"/tokens/{MINT}/challenges/new", _form()).status_code == 303


@pytest.mark.parametrize(("overrides", "problem"), [
    ({"title": "ab"}, "The title takes 3 to 150 characters (it has 2)."),
    ({"title": "x" * 151}, "The title takes 3 to 150 characters (it has 151)."),
    ({"description": "d" * 10_001}, "The description takes at most 10,000 characters"),
    ({"starts_at": "tomorrow"}, "Give the start as a date and time in UTC"),
    ({"ends_at": ""}, "Give the end as a date and time in UTC"),
    ({"ends_at": (datetime.now(UTC) - timedelta(hours=2)).strftime(FORMAT),
      "starts_at": (datetime.now(UTC) - timedelta(hours=3)).strftime(FORMAT)}, "The end must be in the future."),
    ({"starts_at": (datetime.now(UTC) + timedelta(days=3)).strftime(FORMAT),
      "ends_at": (datetime.now(UTC) + timedelta(days=2)).strftime(FORMAT)}, "The end must come after the start."),
    ({"reward_points": "-5"}, "The reward in points is a whole number, 0 or more."),
    ({"reward_points": "2.5"}, "The reward in points is a whole number, 0 or more."),
    ({"reward_points": "9" * 20}, "The reward in points is too large."),
    ({"reward_points": "9" * 5_000}, "The reward in points is too large."),
    ({"reward_tokens": "9" * 5_000}, "Reward in CCAT: the amount is too large."),
    ({"reward_tokens": "1.0000001"}, "This token has 6 decimals; the amount has more."),
    ({"reward_tokens": "-3"}, "The amount must be above zero."),
    ({"reward_tokens": "lots"}, "The amount must be a number"),
    ({"reward_tokens": "NaN"}, "The amount must be above zero."),
    ({"reward_tokens": "1e30"}, "too large"),
])
def test_invalid_challenge_forms_are_refused_with_the_reason_and_nothing_saved(
        app, client, auth, token, overrides, problem) -> None:
    auth.sign_in(token["applicant"])
    reply = _post(client, f"/tokens/{MINT}/challenges/new", _form(**overrides))
    assert reply.status_code == 422
    html = reply.get_data(as_text=True)
    assert problem.replace("'", "&#39;") in html, html
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Challenge)) == 0


@pytest.mark.parametrize(("typed", "units"), [
    ("1,000.5", 1_000_500_000), ("0.000001", 1), ("123456789.123456", 123_456_789_123_456), ("", 0), ("0", 0),
    ("0.0", 0), (" 7 ", 7_000_000), ("9,223,372,036,854.775807", 2**63 - 1),
])
def test_token_rewards_convert_exactly_to_base_units(app, token, typed, units) -> None:
    with app.app_context():
        mint = db.session.scalars(select(Token).where(Token.mint == MINT)).one()
        draft = challenges.parse_draft(_form(reward_tokens=typed), mint)
        assert draft.reward_token_amount == units
        assert Decimal(units).scaleb(-6) == Decimal(typed.replace(",", "") or "0")


def test_rewards_beyond_the_column_are_refused(app, token) -> None:
    with app.app_context():
        mint = db.session.scalars(select(Token).where(Token.mint == MINT)).one()
        with pytest.raises(InvalidChallenge, match="too large"):
            challenges.parse_draft(_form(reward_tokens="9,223,372,036,854.775808"), mint)


def test_the_reward_shows_in_token_units_everywhere(app, client, auth, token) -> None:
    challenge_id = _challenge(app, units=1_000_500_000)
    page = client.get(f"/tokens/{MINT}/challenges/{challenge_id}").get_data(as_text=True)
    assert "500 points and 1,000.5 CCAT" in page and "1000500000" not in page
    listing = client.get(f"/tokens/{MINT}/challenges").get_data(as_text=True)
    assert "500 points and 1,000.5 CCAT" in listing


# --- lists and pages -------------------------------------------------------------------------------------

def test_the_list_groups_running_upcoming_and_ended(app, client, token) -> None:
    _challenge(app, title="Now running")
    _challenge(app, starts=timedelta(days=1), ends=timedelta(days=2), title="Later on")
    _challenge(app, starts=timedelta(days=-3), ends=timedelta(days=-1), title="Long gone")
    html = client.get(f"/tokens/{MINT}/challenges").get_data(as_text=True)
    sections = {name: _section(html, f'data-testid="challenges-{name}"') for name in ("running", "upcoming", "ended")}
    assert "Now running" in sections["running"] and "Later on" in sections["upcoming"]
    assert "Long gone" in sections["ended"] and "Long gone" not in sections["running"]
    assert client.get("/tokens/NoSuchMint111/challenges").status_code == 404
    assert client.get(f"/tokens/{MINT}/challenges/999").status_code == 404


def test_the_challenge_page_shows_time_left_and_markdown_safely(app, client, token) -> None:
    challenge_id = _challenge(app, starts=timedelta(hours=-1), ends=timedelta(days=2, hours=3, minutes=30))
    html = client.get(f"/tokens/{MINT}/challenges/{challenge_id}").get_data(as_text=True)
    assert re.search(r"2d 3h left", html)
    upcoming = _challenge(app, starts=timedelta(hours=2, minutes=10), ends=timedelta(days=1))
    assert "Starts in 2h" in client.get(f"/tokens/{MINT}/challenges/{upcoming}").get_data(as_text=True)


def _section(html: str, marker: str) -> str:
    start = html.index(marker)
    return html[start:html.index("</section>", start)]


# --- entering ------------------------------------------------------------------------------------------

def test_a_member_enters_once_and_sees_their_pending_entry(app, client, auth, token) -> None:
    challenge_id = _challenge(app)
    auth.sign_in()
    url = f"/tokens/{MINT}/challenges/{challenge_id}/entries"
    reply = _post(client, url, {"text": "Line one\nLine <b>two</b>", "link": "https://example.org/meme"})
    assert reply.status_code == 303
    page = client.get(f"/tokens/{MINT}/challenges/{challenge_id}").get_data(as_text=True)
    own = _section(page, 'data-testid="own-entry"')
    assert "waiting for review" in own and "Line one<br>Line &lt;b&gt;two&lt;/b&gt;" in own
    assert 'href="https://example.org/meme" rel="nofollow ugc noopener"' in own
    again = _post(client, url, {"text": "Second try"})
    assert again.status_code == 409
    assert "already entered this challenge" in again.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ChallengeEntry)) == 1


def test_an_htmx_entry_answers_with_the_entry_fragment(app, client, auth, token) -> None:
    challenge_id = _challenge(app)
    auth.sign_in()
    reply = _post(client, f"/tokens/{MINT}/challenges/{challenge_id}/entries", {"link": "http://example.org"},
                  headers={"HX-Request": "true"})
    html = reply.get_data(as_text=True)
    assert reply.status_code == 200 and html.lstrip().startswith('<section class="card own-entry" id="own-entry"')
    assert "waiting for review" in html and "<html" not in html


@pytest.mark.parametrize(("data", "status", "message"), [
    ({"text": "", "link": ""}, 422, "an entry needs at least one"),
    ({"text": "   ", "link": "  "}, 422, "an entry needs at least one"),
    ({"text": "x" * 5_001}, 422, "at most 5,000 characters"),
    ({"link": "javascript:alert(1)"}, 422, "starting with http:// or https://"),
    ({"link": "ftp://example.org/file"}, 422, "starting with http:// or https://"),
    ({"link": "data:text/html,hi"}, 422, "starting with http:// or https://"),
    ({"link": "https://"}, 422, "starting with http:// or https://"),
    ({"link": "https://example.org/" + "a" * 2_100}, 422, "at most 2,048 characters"),
])
def test_bad_entries_are_refused_and_nothing_is_saved(app, client, auth, token, data, status, message) -> None:
    challenge_id = _challenge(app)
    auth.sign_in()
    reply = _post(client, f"/tokens/{MINT}/challenges/{challenge_id}/entries", data)
    assert reply.status_code == status and message in reply.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ChallengeEntry)) == 0


@pytest.mark.parametrize(("starts", "ends", "message"), [
    (timedelta(hours=1), timedelta(days=1), "opens for entries on"),
    (timedelta(days=-2), timedelta(seconds=-1), "entries are closed"),
])
def test_entries_only_while_the_challenge_runs(app, client, auth, token, starts, ends, message) -> None:
    challenge_id = _challenge(app, starts=starts, ends=ends)
    auth.sign_in()
    reply = _post(client, f"/tokens/{MINT}/challenges/{challenge_id}/entries", {"text": "Too early or late"})
    assert reply.status_code == 409 and message in reply.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ChallengeEntry)) == 0


def test_signed_out_and_suspended_members_cannot_enter(app, client, auth, token) -> None:
    challenge_id = _challenge(app)
    url = f"/tokens/{MINT}/challenges/{challenge_id}/entries"
    assert client.post(url, data={"text": "hi"}).status_code == 401
    keypair = auth.sign_in()
    with app.app_context():
        member = db.session.scalars(select(User).where(User.wallet == str(keypair.pubkey()))).one()
        member.suspended_until = datetime.now(UTC) + timedelta(days=1)
        member.suspension_reason = "spam"
        db.session.commit()
    reply = _post(client, url, {"text": "hi"})
    assert reply.status_code == 403 and "You are suspended until" in reply.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ChallengeEntry)) == 0


def test_a_double_entry_at_the_same_instant_leaves_one_row(app, token) -> None:
    challenge_id = _challenge(app)
    with app.app_context():
        member = User(wallet=str(Keypair().pubkey()))
        db.session.add(member)
        db.session.commit()
        member_id = member.id
    start = threading.Barrier(6)
    outcomes: list[object] = []

    def enter() -> None:
        with app.app_context():
            member = db.session.get(User, member_id)
            challenge = get_row(Challenge, challenge_id)
            start.wait()
            try:
                outcomes.append(challenges.submit_entry(member, challenge, "same time", "").id)
            except ChallengeRefused as refused:
                outcomes.append(refused.status)
            except Exception as error:  # noqa: BLE001 - reported by the assertion below
                outcomes.append(error)

    threads = [threading.Thread(target=enter) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count(409) == 5 and all(isinstance(o, int) for o in outcomes), outcomes
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ChallengeEntry)) == 1


def test_two_tabs_entering_at_once_over_http_leave_one_row_and_no_error(app, token) -> None:
    challenge_id = _challenge(app)
    keypair = Keypair()
    clients = [app.test_client() for _ in range(2)]
    tokens = []
    from tests.conftest import WalletAuth

    for tab in clients:
        WalletAuth(tab).sign_in(keypair)
        tokens.append(csrf_token_from(tab.get("/").get_data(as_text=True)))
    start = threading.Barrier(2)
    statuses: list[int] = []

    def post(tab, csrf: str) -> None:
        start.wait()
        statuses.append(tab.post(f"/tokens/{MINT}/challenges/{challenge_id}/entries",
                                 data={"text": "twice", "csrf_token": csrf}).status_code)

    threads = [threading.Thread(target=post, args=pair) for pair in zip(clients, tokens, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [303, 409]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ChallengeEntry)) == 1


def test_entering_is_rate_limited(app, client, auth, token) -> None:
    ids = [_challenge(app, title=f"Challenge {n}") for n in range(11)]
    auth.sign_in()
    csrf = csrf_token_from(client.get("/").get_data(as_text=True))
    statuses = [client.post(f"/tokens/{MINT}/challenges/{cid}/entries", data={"text": "go", "csrf_token": csrf})
                .status_code for cid in ids]
    assert statuses[:10] == [303] * 10 and statuses[10] == 429


# --- reviewing -----------------------------------------------------------------------------------------

@pytest.mark.parametrize(("role", "status"), [("signed_out", 401), ("member", 403), ("team", 303),
                                              ("moderator", 303), ("admin", 303)])
def test_moderators_admins_and_the_team_review(app, client, auth, make_user, token, role, status) -> None:
    challenge_id = _challenge(app)
    entry_id, _ = _entry(app, challenge_id)
    _sign_in_as(role, auth, make_user, token)
    reply = _post(client, f"/tokens/{MINT}/challenges/{challenge_id}/entries/{entry_id}/review",
                  {"decision": "accept"})
    assert reply.status_code == status, reply.get_data(as_text=True)
    with app.app_context():
        entry = get_row(ChallengeEntry, entry_id)
        assert entry.status == ("accepted" if status == 303 else "pending")
    page = client.get(f"/tokens/{MINT}/challenges/{challenge_id}").get_data(as_text=True)
    assert ('data-testid="pending-entries"' in page) == (status == 303)


def test_accepting_records_the_pending_reward_audits_and_notifies(app, client, auth, make_user, token) -> None:
    challenge_id = _challenge(app)
    entry_id, entrant_id = _entry(app, challenge_id)
    auth.sign_in(make_user("moderator"))
    reply = _post(client, f"/tokens/{MINT}/challenges/{challenge_id}/entries/{entry_id}/review",
                  {"decision": "accept", "reason": "Great one"})
    assert reply.status_code == 303
    with app.app_context():
        challenge = get_row(Challenge, challenge_id)
        challenge.reward_points = 1  # a later change of the challenge does not touch the recorded reward
        db.session.commit()
        entry = get_row(ChallengeEntry, entry_id)
        assert (entry.status, entry.reward_points, entry.reward_token_amount, entry.reward_paid) == (
            "accepted", 500, 1_000_500_000, False)
        assert entry.review_reason == "Great one" and entry.reviewed_by_id is not None
        audit = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "challenge.entry.accept"))
        assert audit is not None and audit.target_id == str(entry_id) and audit.details["reward_points"] == 500
        note = db.session.scalar(select(Notification).where(Notification.user_id == entrant_id))
        assert note is not None and note.kind == "challenge" and note.group_key == f"challenge-entry:{entry_id}"
        assert note.text == "Your entry in Meme week was accepted: 500 points and 1,000.5 CCAT pending."
        assert note.url == f"/tokens/{MINT}/challenges/{challenge_id}"
    page = client.get(f"/tokens/{MINT}/challenges/{challenge_id}").get_data(as_text=True)
    accepted = _section(page, 'data-testid="accepted-entries"')
    assert "My meme" in accepted and "Reward pending:" in accepted and "paid by the Momentum engine" in accepted


def test_rejecting_needs_a_reason_the_entrant_then_sees(app, client, auth, make_user, token) -> None:
    challenge_id = _challenge(app)
    entrant = Keypair()
    entry_id, entrant_id = _entry(app, challenge_id, wallet=str(entrant.pubkey()))
    auth.sign_in(make_user("admin"))
    url = f"/tokens/{MINT}/challenges/{challenge_id}/entries/{entry_id}/review"
    no_reason = _post(client, url, {"decision": "reject", "reason": "  "})
    assert no_reason.status_code == 422 and "Say why the entry is rejected" in no_reason.get_data(as_text=True)
    assert _post(client, url, {"decision": "maybe"}).status_code == 422
    with app.app_context():
        assert get_row(ChallengeEntry, entry_id).status == "pending"
        assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == 0
    assert _post(client, url, {"decision": "reject", "reason": "Off topic <i>sorry</i>"}).status_code == 303
    again = _post(client, url, {"decision": "accept"})
    assert again.status_code == 409 and "already been reviewed" in again.get_data(as_text=True)
    with app.app_context():
        entry = get_row(ChallengeEntry, entry_id)
        assert (entry.status, entry.reward_points, entry.reward_token_amount) == ("rejected", 0, 0)
        assert db.session.scalar(select(func.count()).select_from(AuditEntry)
                                 .where(AuditEntry.action == "challenge.entry.reject")) == 1
        note = db.session.scalars(select(Notification).where(Notification.user_id == entrant_id)).one()
        assert note.text == "Your entry in Meme week was rejected: Off topic <i>sorry</i>"
    client.post("/auth/logout", data={"csrf_token": csrf_token_from(client.get("/").get_data(as_text=True))})
    auth.sign_in(entrant)
    own = _section(client.get(f"/tokens/{MINT}/challenges/{challenge_id}").get_data(as_text=True),
                   'data-testid="own-entry"')
    assert "rejected" in own and "Off topic &lt;i&gt;sorry&lt;/i&gt;" in own


def test_the_database_refuses_a_rejection_without_reason(app, token) -> None:
    from sqlalchemy.exc import IntegrityError

    challenge_id = _challenge(app)
    entry_id, _ = _entry(app, challenge_id)
    with app.app_context():
        entry = get_row(ChallengeEntry, entry_id)
        entry.status = "rejected"
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()


def test_a_suspended_team_member_neither_creates_nor_reviews(app, client, auth, token) -> None:
    challenge_id = _challenge(app)
    entry_id, _ = _entry(app, challenge_id)
    auth.sign_in(token["team_wallet"])
    with app.app_context():
        member = db.session.scalars(select(User).where(User.wallet == str(token["team_wallet"].pubkey()))).one()
        member.suspended_until = datetime.now(UTC) + timedelta(hours=5)
        db.session.commit()
    created = _post(client, f"/tokens/{MINT}/challenges/new", _form())
    reviewed = _post(client, f"/tokens/{MINT}/challenges/{challenge_id}/entries/{entry_id}/review",
                     {"decision": "accept"})
    for reply in (created, reviewed):
        assert reply.status_code == 403 and "You are suspended until" in reply.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Challenge)) == 1
        assert get_row(ChallengeEntry, entry_id).status == "pending"


def test_a_reviewer_cannot_review_their_own_entry(app, client, auth, token) -> None:
    challenge_id = _challenge(app)
    entry_id, _ = _entry(app, challenge_id, wallet=str(token["team_wallet"].pubkey()))
    auth.sign_in(token["team_wallet"])
    reply = _post(client, f"/tokens/{MINT}/challenges/{challenge_id}/entries/{entry_id}/review",
                  {"decision": "accept"})
    assert reply.status_code == 403 and "cannot review your own entry" in reply.get_data(as_text=True)


def test_two_reviewers_at_once_decide_once(app, make_user, token) -> None:
    challenge_id = _challenge(app)
    entry_id, entrant_id = _entry(app, challenge_id)
    reviewers = [make_user("moderator"), make_user("admin")]
    start = threading.Barrier(2)
    outcomes: list[object] = []

    def review(keypair: Keypair, decision: str) -> None:
        with app.app_context():
            reviewer = db.session.scalar(select(User).where(User.wallet == str(keypair.pubkey())))
            entry = get_row(ChallengeEntry, entry_id)
            start.wait()
            try:
                outcomes.append(challenges.review_entry(reviewer, entry, decision, "because").status)
            except ChallengeRefused as refused:
                outcomes.append(refused.status)

    threads = [threading.Thread(target=review, args=(reviewers[0], "accept")),
               threading.Thread(target=review, args=(reviewers[1], "reject"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert 409 in outcomes and len(outcomes) == 2, outcomes
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Notification)
                                 .where(Notification.user_id == entrant_id)) == 1
        assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == 1


def test_an_htmx_review_swaps_the_entry_in_place(app, client, auth, make_user, token) -> None:
    challenge_id = _challenge(app)
    entry_id, _ = _entry(app, challenge_id)
    auth.sign_in(make_user("moderator"))
    reply = _post(client, f"/tokens/{MINT}/challenges/{challenge_id}/entries/{entry_id}/review",
                  {"decision": "accept"}, headers={"HX-Request": "true"})
    html = reply.get_data(as_text=True)
    assert reply.status_code == 200 and f'id="entry-{entry_id}"' in html and "<html" not in html
    assert "accepted" in html and "Reward pending:" in html and 'name="decision"' not in html


# --- the token page ------------------------------------------------------------------------------------

def test_the_token_page_panel_lists_running_and_upcoming_challenges(app, client, auth, token) -> None:
    _challenge(app, title="Running meme contest")
    _challenge(app, starts=timedelta(days=1), ends=timedelta(days=3), title="Upcoming art contest")
    _challenge(app, starts=timedelta(days=-3), ends=timedelta(days=-1), title="Finished contest")
    html = client.get(f"/tokens/{MINT}").get_data(as_text=True)
    panel = _section(html, 'data-testid="challenges-panel"')
    assert "Running meme contest" in panel and "Upcoming art contest" in panel
    assert panel.index("Running meme contest") < panel.index("Upcoming art contest")
    assert "Finished contest" not in panel and "500 points and 1,000.5 CCAT" in panel
    auth.sign_in(token["applicant"])
    signed_in_panel = _section(client.get(f"/tokens/{MINT}").get_data(as_text=True), 'data-testid="challenges-panel"')
    assert signed_in_panel == panel  # the shared token body holds nothing of the visitor's
