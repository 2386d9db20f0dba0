"""The demo seed's challenge: running, with accepted, rejected and pending entries, written once."""
from __future__ import annotations

from sqlalchemy import func, select

from webapp.extensions import db
from webapp.models import AuditEntry, Challenge, ChallengeEntry, LaunchApplication, Notification, Token, User
from webapp.services.community.demo_challenges import ENTRIES, TITLE, seed_challenges
from webapp.services.community.demo_people import PEOPLE

MINT = "DemoChaLLenge111111111111111111111111111111"


def test_the_demo_challenge_runs_with_entries_in_every_state_once(app) -> None:
    with app.app_context():
        people = [User(wallet=f"Demo{index}" + "1" * 36, display_name=name, bio=bio)
                  for index, (name, bio) in enumerate(PEOPLE)]
        db.session.add_all(people)
        db.session.add(Token(mint=MINT, name="Demo Cats", symbol="DCAT", decimals=6, supply=10**15, supply_slot=0,
                             program="token", tier="wild_fires"))
        db.session.flush()
        db.session.add(LaunchApplication(applicant_id=people[0].id, name="Demo Cats", symbol="DCAT",
                                         tier="wild_fires", status="launched", mint=MINT, team_wallets=[]))
        db.session.commit()
        seed_challenges(lambda line: None)
        seed_challenges(lambda line: None)  # the second run adds nothing
        [challenge] = db.session.scalars(select(Challenge)).all()
        assert challenge.title == TITLE and challenge.reward_token_amount == 1_000 * 10**6
        statuses = db.session.scalars(select(ChallengeEntry.status).order_by(ChallengeEntry.id)).all()
        assert statuses == [{"accept": "accepted", "reject": "rejected", None: "pending"}[entry[3]]
                            for entry in ENTRIES]
        accepted = db.session.scalars(select(ChallengeEntry).where(ChallengeEntry.status == "accepted")).all()
        assert all(entry.reward_points == 500 and not entry.reward_paid for entry in accepted)
        assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == 1 + 3  # created, three reviews
        assert db.session.scalar(select(func.count()).select_from(Notification)
                                 .where(Notification.kind == "challenge")) == 3
