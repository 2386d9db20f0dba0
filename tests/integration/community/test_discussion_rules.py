"""Around discussions: hot ranks (formula and the worker job), holder badges, rate limits, suspended members."""
from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

from solders.keypair import Keypair
from sqlalchemy import func, select, update

from tests.conftest import get_row
from tests.integration.community.discussion_support import build_tree, make_token, member_id, post, start_discussion
from webapp.extensions import db
from webapp.models import Discussion, HolderAccount, LaunchApplication, Post, Reaction, Token, User
from webapp.services.community import badges


def test_the_worker_ranks_by_activity_with_time_decay(app, make_user) -> None:
    make_token(app)
    author = member_id(app, make_user())
    with app.app_context():
        token_id = db.session.scalars(select(Token.id)).one()
        now = datetime.now(UTC)
        rows = [Discussion(token_id=token_id, author_id=author, title=title, created_at=now - timedelta(hours=hours),
                           last_activity_at=now, score=score, comment_count=comments)
                for title, hours, score, comments in (("fresh", 1, 0, 0), ("busy", 10, 40, 60), ("old", 200, 90, 90),
                                                       ("ancient", 24 * 40, 500, 0))]
        db.session.add_all(rows)
        db.session.commit()
    from worker.jobs import rank_discussions

    with app.app_context():
        assert rank_discussions() == {"ranked": 3}  # the 40-day-old one keeps its rank
        ranks = dict(db.session.execute(select(Discussion.title, Discussion.hot_rank)).all())
    assert math.isclose(ranks["busy"], math.log(max(2, 40 + 60 + 2)) / (10 + 2) ** 1.8, rel_tol=1e-3)
    assert math.isclose(ranks["fresh"], math.log(2) / (1 + 2) ** 1.8, rel_tol=1e-3)
    assert ranks["ancient"] == 0
    assert ranks["fresh"] > ranks["busy"] > ranks["old"]  # an hour-old topic beats a busy one from this morning


def test_badges_show_holding_tiers_team_and_roles_in_one_query(app, client, make_user) -> None:
    mint = make_token(app, supply=1_000_000)
    whale, holder, nobody, applicant, team = (make_user() for _ in range(5))
    moderator = make_user("moderator")
    with app.app_context():
        for index, (keypair, amount) in enumerate(((whale, 6_000), (whale, 5_000), (holder, 10), (nobody, 0))):
            db.session.add(HolderAccount(account=f"acct{index}" + "1" * 30, mint=mint, owner=str(keypair.pubkey()),
                                         amount=amount, slot=1))
        db.session.add(LaunchApplication(applicant_id=member_id(app, applicant), name="Talk", symbol="TALK",
                                         tier="wild_fires", team_wallets=[[str(team.pubkey()), 1]], mint=mint))
        db.session.commit()
    ids = build_tree(app, member_id(app, whale), mint, [("w", None)])
    with app.app_context():
        token = db.session.scalars(select(Token)).one()
        people = [get_row(User, member_id(app, keypair))
                  for keypair in (whale, holder, nobody, applicant, team, moderator)]
        found = badges.for_authors(token, people)
    assert [(found[person.id].tier, found[person.id].labels) for person in people] == [
        ("whale", ()), ("holder", ()), (None, ()), (None, ("team",)), (None, ("team",)), (None, ("moderator",))]
    page = client.get(f"/tokens/{mint}/discussions/{ids['discussion']}-big-thread").get_data(as_text=True)
    assert 'class="badge badge-whale"' in page


def test_posting_and_reacting_are_rate_limited(app, client, auth) -> None:
    mint = make_token(app)
    auth.sign_in()
    location = start_discussion(client, mint)
    with app.app_context():
        opening = db.session.scalars(select(Post.id)).one()
    statuses = [post(client, f"{location}/comments", {"parent_id": str(opening), "body": f"c{index}"}).status_code
                for index in range(10)]
    assert statuses[:9] == [302] * 9 and statuses[9] == 429  # ten posts a minute, the discussion was one
    reacts = [post(client, f"{location}/posts/{opening}/reactions", {"kind": "like", "on": str(index % 2)})
              .status_code for index in range(61)]
    assert reacts[:60] == [302] * 60 and reacts[60] == 429
    with app.app_context():
        assert db.session.scalar(select(Discussion.comment_count)) == 9


def test_suspended_members_cannot_reply_react_or_edit(app, client, auth) -> None:
    mint = make_token(app)
    keypair: Keypair = auth.sign_in()
    location = start_discussion(client, mint)
    with app.app_context():
        opening = db.session.scalars(select(Post.id)).one()
        db.session.execute(update(User).where(User.id == member_id(app, keypair)).values(
            suspended_until=datetime.now(UTC) + timedelta(hours=3), suspension_reason="flooding"))
        db.session.commit()
    for url, data in ((f"{location}/comments", {"parent_id": str(opening), "body": "hi"}),
                      (f"{location}/posts/{opening}/reactions", {"kind": "like"}),
                      (f"{location}/posts/{opening}/edit", {"body": "changed"}),
                      (f"/tokens/{mint}/discussions/drafts", {"draft_key": f"reply:{opening}", "body": "x"})):
        reply = post(client, url, data, htmx=True)
        assert reply.status_code == 403, url
        assert "You are suspended until" in reply.get_data(as_text=True) and "flooding" in reply.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Reaction.id)) is None
        assert db.session.scalars(select(Post.body)).all() == ["What is next?"]
    page = client.get(location).get_data(as_text=True)
    assert 'data-testid="refusal"' in page and "flooding" in page and "reply-form" not in page


def test_the_demo_seed_writes_threads_with_reactions_once(app) -> None:
    from webapp.services.community.demo_discussions import THREADS, seed_discussions
    from webapp.services.community.demo_people import PEOPLE

    make_token(app)
    with app.app_context():
        for index, (name, bio) in enumerate(PEOPLE):
            db.session.add(User(wallet=f"Demo{index}" + "1" * 36, display_name=name, bio=bio))
        db.session.commit()
        seed_discussions(lambda line: None)
        seed_discussions(lambda line: None)  # the second run adds nothing
        rows = db.session.scalars(select(Discussion).order_by(Discussion.id)).all()
        assert [row.title for row in rows] == [title for title, *_ in THREADS]
        assert [row.comment_count for row in rows] == [len(replies) for _, _, replies, _ in THREADS]
        assert db.session.scalar(select(func.max(Post.depth))) == 5  # a thread five levels deep
        assert rows[0].score == 3 and rows[0].hot_rank > 0
        assert db.session.scalar(select(func.count()).select_from(Reaction)) == sum(len(r) for *_, r in THREADS)
